/** `leaseline collector`: the embedded broker, ingest into SQLite, and the lifetime sweep. */
import { Command } from "commander";
import { startCollector } from "../collector/runCollector.js";
import { createLogger } from "../common/logger.js";
import { reportErrors, untilSignal } from "./optionParsers.js";

interface CollectorFlags {
  db: string;
  listen: string;
}

export function collectorCommand(): Command {
  return new Command("collector")
    .description("receive gateway snapshots, store them in SQLite and delete them when their lease ends")
    .option("--db <file>", "SQLite database file", "leaseline.db")
    .option(
      "--listen <url>",
      "embedded MQTT broker address (loopback only until credentials exist)",
      "mqtt://127.0.0.1:1883",
    )
    .action((flags: CollectorFlags) => reportErrors(() => runCollectorCommand(flags)));
}

async function runCollectorCommand(flags: CollectorFlags): Promise<void> {
  const log = createLogger("collector");
  const collector = await startCollector({ db: flags.db, listen: flags.listen, log });
  const signal = await untilSignal();
  log.info({ signal }, "stopping: committing what was received");
  await collector.close();
}
