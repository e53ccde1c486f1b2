/** `leaseline query`: answers support questions from the collector's database. */
import { Command } from "commander";
import { vendorOf } from "../collector/enrich/ouiVendor.js";
import { openDatabase } from "../collector/store/openDatabase.js";
import { gatewayExists, listDevices, listGateways } from "../collector/store/queries.js";
import { isLocallyAdministered } from "../protocol/index.js";
import { formatTable } from "./formatTable.js";
import { reportErrors } from "./optionParsers.js";

interface QueryFlags {
  db: string;
  json?: boolean;
}

function print(rows: object[], flags: QueryFlags, columns: string[]): void {
  process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows, columns));
}

export function queryCommand(): Command {
  const query = new Command("query").description("ask the collector's database what is on a gateway");
  query
    .command("gateways")
    .description("every gateway: online, boot id, last reboot, last seen, device count")
    .option("--db <file>", "collector database", "leaseline.db")
    .option("--json", "JSON for tools instead of a table")
    .action((flags: QueryFlags) =>
      reportErrors(async () => {
        const db = openDatabase(flags.db, { readonly: true });
        try {
          print(listGateways(db), flags, [
            "gatewayId",
            "online",
            "deviceCount",
            "lastReboot",
            "lastSeen",
            "bootId",
          ]);
        } finally {
          db.close();
        }
      }),
    );
  query
    .command("devices")
    .description("the devices holding a lease on a gateway now")
    .argument("<gateway>", "gateway id")
    .option("--db <file>", "collector database", "leaseline.db")
    .option("--json", "JSON for tools instead of a table")
    .action((gateway: string, flags: QueryFlags) =>
      reportErrors(async () => {
        const db = openDatabase(flags.db, { readonly: true });
        try {
          if (!gatewayExists(db, gateway))
            throw new Error(`no gateway ${JSON.stringify(gateway)} in ${flags.db}`);
          const devices = listDevices(db, gateway).map((d) => ({
            ...d,
            vendor: vendorOf(d.mac),
            randomized: d.mac ? isLocallyAdministered(d.mac) : null,
          }));
          print(devices, flags, ["mac", "vendor", "randomized", "ip", "hostname", "expiresAt", "source"]);
        } finally {
          db.close();
        }
      }),
    );
  return query;
}
