/**
 * `leaseline privacy export|erase --gateway ID [--mac MAC]`: a privacy officer's requests.
 * With `--url` they go through the running collector's API (privacy role), which also covers
 * its ingest queue and the broker's retained message; with `--db` only the database file.
 */
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import type { ApiError } from "../collector/api/apiError.js";
import { gatewayParam, macParam } from "../collector/api/params.js";
import { eraseSubject } from "../collector/privacy/privacyErase.js";
import { exportSubject, type PrivacySubject } from "../collector/privacy/privacyExport.js";
import { openDatabase } from "../collector/store/openDatabase.js";
import { reportErrors } from "./optionParsers.js";
import { callApi, type SourceFlags } from "./queryCommand.js";

interface PrivacyFlags extends SourceFlags {
  gateway: string;
  mac?: string;
  out?: string;
}

function subjectOf(flags: PrivacyFlags): PrivacySubject {
  try {
    const gatewayId = gatewayParam(flags.gateway);
    return flags.mac === undefined ? { gatewayId } : { gatewayId, mac: macParam(flags.mac) };
  } catch (error) {
    throw new Error(`--${(error as ApiError).message}`);
  }
}

function subjectParams(subject: PrivacySubject): URLSearchParams {
  return new URLSearchParams(subject.mac === undefined ? {} : { mac: subject.mac });
}

function options(command: Command): Command {
  return command
    .requiredOption("--gateway <id>", "the gateway")
    .option("--mac <mac>", "only this device on the gateway")
    .option("--db <file>", "collector database (database only)", "leaseline.db")
    .option("--url <http://host:port>", "go through the running collector's API (privacy role token)")
    .option("--token-file <file>", "with --url: file holding a privacy-role API token");
}

export function privacyCommand(): Command {
  const privacy = new Command("privacy").description(
    "privacy requests: export or erase everything about a gateway or device",
  );
  options(privacy.command("export").description("write everything stored about it as one JSON document"))
    .option("--out <file>", "write to this file instead of standard output")
    .action((flags: PrivacyFlags) =>
      reportErrors(async () => {
        const subject = subjectOf(flags);
        let document: unknown;
        if (flags.url !== undefined) {
          document = await callApi(
            flags,
            "GET",
            `/gateways/${encodeURIComponent(subject.gatewayId)}/export`,
            subjectParams(subject),
          );
        } else {
          const db = openDatabase(flags.db, { readonly: true });
          try {
            document = db.transaction(() => exportSubject(db, subject))();
          } finally {
            db.close();
          }
        }
        const text = `${JSON.stringify(document, null, 2)}\n`;
        if (flags.out !== undefined) writeFileSync(flags.out, text, { mode: 0o600 });
        else process.stdout.write(text);
      }),
    );
  options(
    privacy.command("erase").description("delete everything stored about it, and print what was deleted"),
  )
    .option("--json", "print the result as JSON")
    .action((flags: PrivacyFlags) =>
      reportErrors(async () => {
        const subject = subjectOf(flags);
        let result: Record<string, unknown>;
        if (flags.url !== undefined) {
          result = (await callApi(
            flags,
            "POST",
            `/gateways/${encodeURIComponent(subject.gatewayId)}/erase`,
            subjectParams(subject),
          )) as Record<string, unknown>;
        } else {
          const db = openDatabase(flags.db);
          try {
            result = {
              ...eraseSubject(db, subject),
              scope:
                "database only: a running collector's ingest queue and the broker's retained state message are not covered (use --url)",
            };
          } finally {
            db.close();
          }
        }
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const who =
          subject.mac === undefined
            ? `gateway ${subject.gatewayId}`
            : `device ${subject.mac} on ${subject.gatewayId}`;
        const lines = [`erased ${who}`];
        for (const [table, n] of Object.entries(result.deleted as Record<string, number>))
          lines.push(`  ${table.padEnd(18)} ${n} rows deleted`);
        for (const [table, why] of Object.entries((result.kept ?? {}) as Record<string, string>))
          lines.push(`  ${table.padEnd(18)} kept: ${why}`);
        for (const key of ["queuedRecordsDropped", "retainedState", "scope"] as const)
          if (result[key] !== undefined) lines.push(`  ${key}: ${String(result[key])}`);
        if (result.checkpointed === false)
          lines.push(
            "  WARNING: a reader kept the WAL checkpoint from completing; the collector's sweep retries it",
          );
        process.stdout.write(`${lines.join("\n")}\n`);
      }),
    );
  return privacy;
}
