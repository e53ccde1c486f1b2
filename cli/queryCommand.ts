/**
 * `leaseline query`: answers a support call from the collector's database (`--db`, read-only)
 * or from a running collector's HTTP API (`--url`, with a bearer token from `--token-file`).
 * Both go through the same query code (collector/api/supportApi.ts), so they answer alike.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { API_PREFIX, answerQuery } from "../collector/api/supportApi.js";
import { openDatabase } from "../collector/store/openDatabase.js";
import { addCommandRequests } from "./commandRequests.js";
import { formatTable } from "./formatTable.js";
import { reportErrors } from "./optionParsers.js";
import { DEVICE_COLUMNS, deviceCells, gatewayText } from "./supportText.js";

export interface SourceFlags {
  db: string;
  url?: string;
  tokenFile?: string;
  json?: boolean;
}

interface QueryFlags extends SourceFlags {
  since?: string;
  limit?: string;
  after?: string;
}

/** The bearer token from `--token-file` (first line). */
export function readToken(file: string | undefined): string {
  if (file === undefined) throw new Error("--url needs --token-file FILE holding an API token");
  try {
    return readFileSync(file, "utf8").split(/\r?\n/)[0]?.trim() ?? "";
  } catch (error) {
    throw new Error(`--token-file: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Calls the collector's API; a non-2xx answer becomes an error with the API's message. */
export async function callApi(
  flags: SourceFlags,
  method: "GET" | "POST",
  path: string,
  params: URLSearchParams,
): Promise<unknown> {
  const base = (flags.url as string).replace(/\/+$/, "");
  const query = params.toString();
  const response = await fetch(`${base}${API_PREFIX}${path}${query ? `?${query}` : ""}`, {
    method,
    headers: { authorization: `Bearer ${readToken(flags.tokenFile)}` },
  }).catch((error: Error) => {
    throw new Error(`--url: cannot reach ${base}: ${(error.cause as Error)?.message ?? error.message}`);
  });
  const body = (await response.json().catch(() => null)) as { error?: string } | null;
  if (!response.ok) throw new Error(`${response.status}: ${body?.error ?? response.statusText}`);
  return body;
}

async function run(path: string, flags: QueryFlags): Promise<unknown> {
  const params = new URLSearchParams();
  for (const key of ["since", "limit", "after"] as const) {
    const value = flags[key];
    if (value !== undefined) params.set(key, value);
  }
  if (flags.url !== undefined) return callApi(flags, "GET", path, params);
  const db = openDatabase(flags.db, { readonly: true });
  try {
    return answerQuery(db, { path, params, now: Date.now() });
  } finally {
    db.close();
  }
}

const cellsOf = (rows: unknown): object[] =>
  (rows as Array<Record<string, unknown>>).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? v.join(" ") : v])),
  );

function output(result: unknown, flags: QueryFlags, columns: string[], cells = cellsOf): void {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  if (Array.isArray(result)) {
    process.stdout.write(formatTable(cells(result), columns));
    return;
  }
  process.stdout.write(gatewayText(result as Record<string, unknown>));
}

function sourceOptions(command: Command): Command {
  return command
    .option("--db <file>", "collector database (read-only)", "leaseline.db")
    .option("--url <http://host:port>", "ask a running collector's HTTP API instead of the database")
    .option("--token-file <file>", "with --url: file holding an API token (support or privacy role)")
    .option("--json", "JSON for tools instead of a table")
    .option("--limit <n>", "at most this many rows (1-1000)");
}

export function queryCommand(): Command {
  const query = new Command("query").description(
    "answer a support call: what is on a gateway, how is it doing",
  );
  const add = (
    name: string,
    description: string,
    args: string[],
    path: (...a: string[]) => string,
    columns: string[],
    extra: (c: Command) => Command = (c) => c,
    cells: (rows: unknown) => object[] = cellsOf,
  ) => {
    const command = sourceOptions(query.command(name).description(description));
    for (const a of args) command.argument(`<${a}>`);
    extra(command).action((...received: unknown[]) => {
      const positional = received.slice(0, args.length) as string[];
      const flags = received[args.length] as QueryFlags;
      return reportErrors(async () => output(await run(path(...positional), flags), flags, columns, cells));
    });
  };
  const since = (c: Command) =>
    c.option("--since <time>", "ISO-8601 time or a duration back from now (90m, 1h, 2d)");
  const after = (c: Command) => c.option("--after <key>", "next page: the last key of the previous page");
  add(
    "gateways",
    "every gateway: online, boot id, last reboot, last seen, device count",
    [],
    () => "/gateways",
    ["gatewayId", "online", "deviceCount", "lastReboot", "lastSeen", "bootId"],
    after,
  );
  add(
    "gateway",
    "one gateway: router identity, agent health, line quality, speed tests, radios, interfaces",
    ["gateway"],
    (g) => `/gateways/${encodeURIComponent(g)}`,
    [],
  );
  add(
    "devices",
    "the devices on a gateway now: type, vendor, address, band or port, signal, download/upload rate and this lease's bytes",
    ["gateway"],
    (g) => `/gateways/${encodeURIComponent(g)}/devices`,
    DEVICE_COLUMNS,
    after,
    (rows) => deviceCells(rows as Array<Record<string, unknown>>),
  );
  add(
    "history",
    "signal and traffic samples of a device's current lease (one a minute at most)",
    ["gateway", "mac"],
    (g, m) => `/gateways/${encodeURIComponent(g)}/devices/${encodeURIComponent(m)}/history`,
    [
      "at",
      "signalDbm",
      "downloadBytesPerSecond",
      "uploadBytesPerSecond",
      "downloadBytesThisLease",
      "uploadBytesThisLease",
    ],
    since,
  );
  add(
    "bandwidth",
    "interface bandwidth samples of a gateway (one a minute per interface at most)",
    ["gateway"],
    (g) => `/gateways/${encodeURIComponent(g)}/bandwidth`,
    ["at", "interface", "rxBytesPerSecond", "txBytesPerSecond", "rxBytes", "txBytes"],
    since,
  );
  add(
    "events",
    "joins, releases, expiries and resets of a gateway (a device's identity goes when its lease ends)",
    ["gateway"],
    (g) => `/gateways/${encodeURIComponent(g)}/events`,
    ["at", "type", "mac", "ip", "hostname"],
    since,
  );
  addCommandRequests(query);
  return query;
}
