#!/usr/bin/env node
/** The `leaseline` command: one program whose subcommands are the project's parts. */
import { Command } from "commander";
import { LEASELINE_VERSION } from "../common/version.js";
import { agentCommand } from "./agentCommand.js";
import { collectorCommand } from "./collectorCommand.js";
import { demoCommand } from "./demoCommand.js";
import { privacyCommand } from "./privacyCommand.js";
import { queryCommand } from "./queryCommand.js";
import { simulatorCommand } from "./simulatorCommand.js";

const program = new Command("leaseline")
  .description(
    "Telemetry for ISP-managed gateways: leases, neighbours, Wi-Fi and counters, kept only as long as the lease",
  )
  .version(LEASELINE_VERSION)
  .addCommand(agentCommand())
  .addCommand(collectorCommand())
  .addCommand(simulatorCommand())
  .addCommand(queryCommand())
  .addCommand(privacyCommand())
  .addCommand(demoCommand());

await program.parseAsync(process.argv);
