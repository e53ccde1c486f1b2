/**
 * Output of `ping -c N -W T HOST` from iputils (Debian, most distributions) and from BusyBox
 * (OpenWrt, RDK-B), for the line's latency, jitter and loss. Several runs may be concatenated.
 *
 * iputils: `PING h (a) 56(84) bytes of data.` (IPv6: `PING h(a) 56 data bytes`, newer versions
 * `PING h(name (a))`), replies `64 bytes from a: icmp_seq=1 ttl=64 time=0.045 ms`, then
 * `--- h ping statistics ---`, `N packets transmitted, M received[, +D duplicates][, +C corrupted]
 * [, +E errors], L% packet loss, time Tms` and `rtt min/avg/max/mdev = a/b/c/d ms[, pipe P]`.
 * BusyBox: `PING h (a): 56 data bytes`, replies with `seq=0` (from 0, not 1), then
 * `N packets transmitted, M packets received, [D duplicates, ]L% packet loss` and
 * `round-trip min/avg/max = a/b/c ms` (no deviation).
 * Traps:
 * - With no reply at all neither prints an rtt line (iputils prints an empty line or `pipe N`).
 * - iputils prints the loss with %g (`33.3333%`), BusyBox as a truncated integer (`33%`): the loss
 *   is computed from the counts instead.
 * - Jitter: iputils' mdev is the population standard deviation of the round trips; for BusyBox the
 *   same is computed from the reply lines (without `(DUP!)` ones), and left null under `-q`, whose
 *   output has no reply lines.
 * - Failures print no statistics at all: `ping: connect: Network is unreachable`, `ping: NAME:
 *   Temporary failure in name resolution` (iputils), `ping: sendto: Network is unreachable`,
 *   `ping: bad address 'NAME'` (BusyBox). They become a result with nothing sent and the error.
 * - `From a icmp_seq=1 Destination Host Unreachable` lines are ICMP errors, counted by iputils as
 *   `+N errors`; they are not replies.
 * - A run cut off before its statistics is skipped: its loss is unknown.
 */
import { isIP } from "node:net";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";

export interface PingResult {
  /** The host as given to ping (name or address); null when a failure message does not say. */
  target: string | null;
  /** The address ping sent to, from its first line; null when it never got that far. */
  address: string | null;
  tool: "iputils" | "busybox";
  sent: number;
  received: number;
  duplicates: number;
  /** ICMP errors received instead of replies (iputils `+N errors`). */
  errors: number;
  /** Lost share of the sent requests, 0-100 (three decimals); null when nothing was sent. */
  lossPercent: number | null;
  rttMinMs: number | null;
  rttAvgMs: number | null;
  rttMaxMs: number | null;
  /** Standard deviation of the round trips (iputils mdev; computed for BusyBox), ms. */
  jitterMs: number | null;
  /** The first failure ping reported (`Network is unreachable`, `Destination Host Unreachable`, ...). */
  error: string | null;
}

const TIMESTAMP = /^\[\d+(?:\.\d+)?\] /;
const HEADER = /^PING (\S+?) ?\((.*)\)(?::| \d+\(\d+\) bytes of data\.| \d+ data bytes| from )/;
const IPUTILS_REPLY = /^\d+ bytes from .+: icmp_seq=\d+ (?:ttl|hlim)=\d+ time=(\d+(?:\.\d+)?) ms( \(DUP!\))?/;
const BUSYBOX_REPLY = /^\d+ bytes from .+: seq=\d+ ttl=\d+ time=(\d+(?:\.\d+)?) ms( \(DUP!\))?/;
const ICMP_ERROR = /^From \S+ icmp_seq=\d+ (.+)$/;
const SUMMARY_START = /^--- (.+) ping statistics ---$/;
const IPUTILS_COUNTS =
  /^(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?(?:, \+(\d+) corrupted)?(?:, \+(\d+) errors)?, (\d+(?:\.\d+)?)% packet loss/;
const BUSYBOX_COUNTS =
  /^(\d+) packets transmitted, (\d+) packets received, (?:(\d+) duplicates, )?(\d+)% packet loss$/;
const IPUTILS_RTT = /^rtt min\/avg\/max\/mdev = (\d+\.\d+)\/(\d+\.\d+)\/(\d+\.\d+)\/(\d+\.\d+) ms/;
const BUSYBOX_RTT = /^round-trip min\/avg\/max = (\d+\.\d+)\/(\d+\.\d+)\/(\d+\.\d+) ms$/;
/** System calls ping names in its errors; anything else before the colon is the host. */
const SYSCALLS = new Set([
  "connect",
  "sendto",
  "sendmsg",
  "socket",
  "bind",
  "recvmsg",
  "setsockopt",
  "icmp open socket",
]);

interface Run {
  line: number;
  target: string | null;
  address: string | null;
  tool: "iputils" | "busybox";
  replies: number[];
  error: string | null;
  counts: { sent: number; received: number; duplicates: number; errors: number } | null;
  rtt: { min: number; avg: number; max: number; mdev: number | null } | null;
}

/** The address inside the header's parentheses; newer iputils writes `name (address)` there. */
function headerAddress(inner: string): string | null {
  const nested = /\(([^()]+)\)$/.exec(inner);
  const candidate = nested ? (nested[1] as string) : inner;
  return isIP(candidate) !== 0 ? candidate.toLowerCase() : null;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function standardDeviation(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + b * b, 0) / values.length - mean * mean;
  return Math.sqrt(Math.max(0, variance));
}

function failure(message: string): { target: string | null; error: string } {
  const bad = /^bad address '(.*)'$/.exec(message);
  if (bad) return { target: bad[1] as string, error: "bad address" };
  const colon = message.indexOf(": ");
  if (colon > 0) {
    const head = message.slice(0, colon);
    const rest = message.slice(colon + 2);
    return SYSCALLS.has(head) ? { target: null, error: rest } : { target: head, error: rest };
  }
  return { target: null, error: message };
}

/** Counts and round-trip lines after `--- h ping statistics ---`; false for anything else. */
function readSummaryLine(run: Run, line: string): boolean {
  const iputilsCounts = IPUTILS_COUNTS.exec(line);
  if (iputilsCounts) {
    run.tool = "iputils";
    run.counts = {
      sent: Number(iputilsCounts[1]),
      received: Number(iputilsCounts[2]),
      duplicates: Number(iputilsCounts[3] ?? 0),
      errors: Number(iputilsCounts[5] ?? 0),
    };
    return true;
  }
  const busyboxCounts = BUSYBOX_COUNTS.exec(line);
  if (busyboxCounts) {
    run.tool = "busybox";
    run.counts = {
      sent: Number(busyboxCounts[1]),
      received: Number(busyboxCounts[2]),
      duplicates: Number(busyboxCounts[3] ?? 0),
      errors: 0,
    };
    return true;
  }
  const iputilsRtt = IPUTILS_RTT.exec(line);
  if (iputilsRtt) {
    const [min, avg, max, mdev] = iputilsRtt.slice(1, 5).map(Number) as [number, number, number, number];
    run.rtt = { min, avg, max, mdev };
    return true;
  }
  const busyboxRtt = BUSYBOX_RTT.exec(line);
  if (busyboxRtt) {
    const [min, avg, max] = busyboxRtt.slice(1, 4).map(Number) as [number, number, number];
    run.rtt = { min, avg, max, mdev: null };
    return true;
  }
  return false;
}

export function parsePing(text: string): ParseResult<PingResult> {
  const records: PingResult[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  let run: Run | null = null;
  let inSummary = false;

  const finish = (): void => {
    if (!run) return;
    const r = run;
    run = null;
    inSummary = false;
    if (!r.counts) {
      if (r.error) {
        records.push(result(r, { sent: 0, received: 0, duplicates: 0, errors: 0 }));
      } else {
        skipped.push(skippedLine(r.line, "no statistics (output was cut off)", `PING ${r.target ?? ""}`));
      }
      return;
    }
    records.push(result(r, r.counts));
  };

  const result = (r: Run, counts: NonNullable<Run["counts"]>): PingResult => {
    let jitter: number | null = r.rtt?.mdev ?? null;
    if (r.tool === "busybox" && r.rtt && r.replies.length > 0 && r.replies.length === counts.received) {
      jitter = round3(standardDeviation(r.replies));
    }
    return {
      target: r.target,
      address: r.address,
      tool: r.tool,
      sent: counts.sent,
      received: counts.received,
      duplicates: counts.duplicates,
      errors: counts.errors,
      lossPercent: counts.sent === 0 ? null : round3(((counts.sent - counts.received) / counts.sent) * 100),
      rttMinMs: r.rtt?.min ?? null,
      rttAvgMs: r.rtt?.avg ?? null,
      rttMaxMs: r.rtt?.max ?? null,
      jitterMs: r.rtt ? jitter : null,
      error: r.error,
    };
  };

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(TIMESTAMP, "").trimEnd();
    if (line === "") continue;
    const header = HEADER.exec(line);
    if (header) {
      finish();
      run = {
        line: i + 1,
        target: header[1] as string,
        address: headerAddress(header[2] as string),
        tool: line.includes("bytes of data") || /^PING \S+\(/.test(line) ? "iputils" : "busybox",
        replies: [],
        error: null,
        counts: null,
        rtt: null,
      };
      continue;
    }
    if (line.startsWith("ping: ")) {
      const { target, error } = failure(line.slice(6));
      // A failure with no run open (iputils fails before printing its header) is a run of its own.
      if (!run || run.counts) {
        finish();
        run = {
          line: i + 1,
          target,
          address: null,
          tool: "iputils",
          replies: [],
          error,
          counts: null,
          rtt: null,
        };
        if (/^bad address /.test(line.slice(6)) || /^sendto: /.test(line.slice(6))) run.tool = "busybox";
        finish();
      } else {
        run.error ??= error;
      }
      continue;
    }
    if (!run) {
      skipped.push(skippedLine(i + 1, "not part of a ping run", line));
      continue;
    }
    const reply = IPUTILS_REPLY.exec(line) ?? BUSYBOX_REPLY.exec(line);
    if (reply && !inSummary) {
      if (BUSYBOX_REPLY.test(line)) run.tool = "busybox";
      // Duplicates are not round trips of their own request: left out of the jitter.
      if (!reply[2]) run.replies.push(Number(reply[1]));
      continue;
    }
    const icmpError = ICMP_ERROR.exec(line);
    if (icmpError && !inSummary) {
      run.error ??= icmpError[1] as string;
      continue;
    }
    if (SUMMARY_START.test(line)) {
      inSummary = true;
      continue;
    }
    if (inSummary && readSummaryLine(run, line)) continue;
    // `pipe N` alone on a line follows the counts when iputils had several requests in flight.
    if (inSummary && /^pipe \d+$/.test(line)) continue;
    skipped.push(skippedLine(i + 1, "unrecognised line", line));
  }
  finish();
  return { records, skipped };
}
