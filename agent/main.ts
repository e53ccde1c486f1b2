#!/usr/bin/env node
/**
 * The gateway build's entry point: only the `agent` command, so the bundle
 * (`npm run build:agent`, deploy/buildAgent.mjs) carries no collector, SQLite, broker or OUI
 * data. `leaseline-agent --gateway-id gw-1 --broker mqtts://...` is `leaseline agent ...`.
 */
import { agentCommand } from "../cli/agentCommand.js";
import { LEASELINE_VERSION } from "../common/version.js";

const program = agentCommand().name("leaseline-agent").version(LEASELINE_VERSION);
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`leaseline-agent: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
