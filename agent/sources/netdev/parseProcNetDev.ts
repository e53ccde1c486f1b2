/**
 * `/proc/net/dev`: cumulative counters of every network device.
 *
 * Two header lines (`Inter-|   Receive ...` and ` face |bytes    packets ...`), then per device
 * `"%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n"`:
 * rx bytes packets errs drop fifo frame compressed multicast, tx bytes packets errs drop fifo
 * colls carrier compressed. Traps: kernels before 3.x printed `"%6s:%8lu ..."`, so a large first
 * counter touches the colon (`eth0:4046496815`); names could contain `:` (old alias devices
 * `eth0:1`), so the name ends at the last colon, which is followed only by counters; very old
 * kernels print `eth0: No statistics available.`; the drop column is rx_dropped + rx_missed_errors.
 * Counters are u64 but a JS number is exact only below 2^53: such a line is skipped rather than
 * stored with a wrong value. An unterminated last line is output that was cut off and is skipped.
 */
import { type InterfaceCounters, MAX_STRING_LENGTH } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";

const COUNTER_COLUMNS = 16;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Column index (0-based, after the name) of each stored counter. */
const COLUMNS = {
  rxBytes: 0,
  rxPackets: 1,
  rxErrors: 2,
  rxDropped: 3,
  txBytes: 8,
  txPackets: 9,
  txErrors: 10,
  txDropped: 11,
} as const;

export type CounterValue = { ok: true; value: number } | { ok: false; reason: string };

/** Reads one decimal u64 counter as an exact JS number, or says why it cannot. */
export function readCounter(text: string): CounterValue {
  if (!/^\d{1,20}$/.test(text)) return { ok: false, reason: `${JSON.stringify(text)} is not a counter` };
  const big = BigInt(text);
  if (big > MAX_U64) return { ok: false, reason: `${text} exceeds 64 bits` };
  if (big > MAX_EXACT) return { ok: false, reason: `${text} is 2^53 or more and cannot be stored exactly` };
  return { ok: true, value: Number(big) };
}

export function parseProcNetDev(text: string): ParseResult<InterfaceCounters> {
  const records: InterfaceCounters[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const unterminated = text.length > 0 && !text.endsWith("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (i < 2 && raw.includes("|")) continue;
    if (unterminated && i === lines.length - 1) {
      skipped.push(skippedLine(i + 1, "unterminated last line (output was cut off)", raw));
      continue;
    }
    if (raw.trim() === "") continue;
    const colon = raw.lastIndexOf(":");
    if (colon < 0) {
      skipped.push(skippedLine(i + 1, "no ':' after the interface name", raw));
      continue;
    }
    const name = raw.slice(0, colon).trim();
    const rest = raw.slice(colon + 1).trim();
    if (name === "" || name.length > MAX_STRING_LENGTH || /\s/.test(name)) {
      skipped.push(skippedLine(i + 1, "invalid interface name", raw));
      continue;
    }
    if (rest.startsWith("No statistics available")) {
      skipped.push(skippedLine(i + 1, "device reports no statistics", raw));
      continue;
    }
    const fields = rest.split(/\s+/);
    // Extra columns are ignored: the first 16 keep their meaning and are the only ones we store.
    if (fields.length < COUNTER_COLUMNS) {
      skipped.push(skippedLine(i + 1, `expected ${COUNTER_COLUMNS} counters, found ${fields.length}`, raw));
      continue;
    }
    const values: Partial<Record<keyof typeof COLUMNS, number>> = {};
    let problem: string | null = null;
    for (const [key, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, number][]) {
      const counter = readCounter(fields[column] as string);
      if (!counter.ok) {
        problem = `${key}: ${counter.reason}`;
        break;
      }
      values[key] = counter.value;
    }
    if (!problem) {
      const bad = fields.slice(0, COUNTER_COLUMNS).find((f) => !/^\d{1,20}$/.test(f));
      if (bad !== undefined) problem = `${JSON.stringify(bad)} is not a counter`;
    }
    if (problem) {
      skipped.push(skippedLine(i + 1, problem, raw));
      continue;
    }
    const v = values as Record<keyof typeof COLUMNS, number>;
    records.push({
      name,
      rxBytes: v.rxBytes,
      txBytes: v.txBytes,
      rxPackets: v.rxPackets,
      txPackets: v.txPackets,
      rxErrors: v.rxErrors,
      txErrors: v.txErrors,
      rxDropped: v.rxDropped,
      txDropped: v.txDropped,
    });
  }
  return { records, skipped };
}
