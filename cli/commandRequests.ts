/**
 * `leaseline query speedtest GATEWAY` and `leaseline query refresh GATEWAY`: support asks a
 * gateway, through the running collector's API, to measure its line or to send a snapshot now.
 * Unlike the other queries these need the collector (it holds the broker connection to the
 * gateway): the database alone cannot reach a gateway.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import type { SpeedTestDetail } from "../collector/store/speedTestState.js";
import { numberOption, reportErrors } from "./optionParsers.js";
import { callApi, type SourceFlags } from "./queryCommand.js";

interface CommandFlags extends SourceFlags {
  wait: number;
}

/** Tests of one gateway listed per poll: the new one is among the latest. */
const POLL_LIMIT = 20;
const POLL_INTERVAL_MS = 500;

/** As the API sends it (collector/store/speedTestState.ts). */
type TestRow = SpeedTestDetail;

function needsApi(flags: CommandFlags, what: string): void {
  if (flags.url === undefined)
    throw new Error(
      `query ${what} needs the running collector's API (it reaches the gateway through the collector's broker; the database alone cannot): use --url http://HOST:PORT --token-file FILE`,
    );
}

const mbits = (bitsPerSecond: number | null): string =>
  bitsPerSecond === null ? "-" : `${(bitsPerSecond / 1e6).toFixed(1)} Mbit/s`;

/** The human-readable lines of a finished (or still pending) test. */
export function describeTest(gatewayId: string, test: TestRow): string {
  const bytes = (n: number | null) => (n === null ? "" : ` (${n} bytes)`);
  const lines: Array<[string, string]> = [
    ["gateway", gatewayId],
    ["test", test.testId],
    ["status", test.status],
    ["download", `${mbits(test.downloadBitsPerSecond)}${bytes(test.downloadBytes)}`],
    ["upload", `${mbits(test.uploadBitsPerSecond)}${bytes(test.uploadBytes)}`],
    ["rtt", test.rttMs === null ? "-" : `${test.rttMs.toFixed(1)} ms`],
    ["server", test.server ?? "-"],
    ["requested", test.requestedAt],
    ["finished", test.finishedAt ?? "-"],
  ];
  if (test.error !== null) lines.push(["error", test.error]);
  return `${lines.map(([k, v]) => `${k.padEnd(10)} ${v}`).join("\n")}\n`;
}

async function runSpeedTest(gatewayId: string, flags: CommandFlags): Promise<void> {
  needsApi(flags, "speedtest");
  const path = `/gateways/${encodeURIComponent(gatewayId)}/speedtest`;
  const started = (await callApi(flags, "POST", path, new URLSearchParams())) as {
    testId: string;
    answerBy: string;
  };
  process.stderr.write(
    `speed test ${started.testId} of ${gatewayId} requested; the gateway answers by ${started.answerBy}\n`,
  );
  const deadline = Date.now() + flags.wait * 1000;
  let test: TestRow | undefined;
  while (Date.now() < deadline) {
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(deadline - Date.now(), 0)));
    const tests = (await callApi(
      flags,
      "GET",
      path,
      new URLSearchParams({ limit: String(POLL_LIMIT) }),
    )) as TestRow[];
    test = tests.find((t) => t.testId === started.testId);
    if (test === undefined)
      throw new Error(
        `test ${started.testId} is gone: the gateway rebooted (its router data went with the boot)`,
      );
    if (test.status !== "pending") break;
  }
  if (test === undefined || test.status === "pending")
    throw new Error(
      `test ${started.testId} is still pending after ${flags.wait} s; the collector fails it if no answer comes by ${started.answerBy} (see GET /api/v1${path})`,
    );
  process.stdout.write(flags.json ? `${JSON.stringify(test, null, 2)}\n` : describeTest(gatewayId, test));
  if (test.status === "failed") process.exitCode = 1;
}

async function runRefresh(gatewayId: string, flags: CommandFlags): Promise<void> {
  needsApi(flags, "refresh");
  const answer = (await callApi(
    flags,
    "POST",
    `/gateways/${encodeURIComponent(gatewayId)}/refresh`,
    new URLSearchParams(),
  )) as { status: string; lastSnapshotSeq: number; waitedMs?: number; message?: string };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    answer.status === "updated"
      ? `fresh snapshot of ${gatewayId} stored (sequence ${answer.lastSnapshotSeq}, after ${answer.waitedMs} ms)\n`
      : `snapshot of ${gatewayId} requested: ${answer.message ?? answer.status}\n`,
  );
}

function apiOptions(command: Command): Command {
  return command
    .argument("<gateway>")
    .option("--url <http://host:port>", "the running collector's HTTP API")
    .option("--token-file <file>", "with --url: file holding an API token (support or privacy role)")
    .option("--db <file>", "not enough for this command: it needs --url")
    .option("--json", "JSON for tools instead of text");
}

/** Adds `speedtest` and `refresh` to `leaseline query`. */
export function addCommandRequests(query: Command): void {
  apiOptions(
    query
      .command("speedtest")
      .description("measure a gateway's download, upload and round trip now (through the collector's API)"),
  )
    .option("--wait <seconds>", "give up waiting for the result after this long", numberOption(1, 600), 120)
    .action((gatewayId: string, flags: CommandFlags) => reportErrors(() => runSpeedTest(gatewayId, flags)));
  apiOptions(
    query
      .command("refresh")
      .description("ask a gateway for a fresh snapshot now and wait (10 s at most) until it is stored"),
  ).action((gatewayId: string, flags: CommandFlags) => reportErrors(() => runRefresh(gatewayId, flags)));
}
