/**
 * `ping -c 3 -W 1 HOST` as iputils (Debian) and BusyBox (OpenWrt) print it, from the line model.
 * The header depends on the host as typed, so the simulator renders the rest (replies and
 * statistics) with `@ADDR@` and `@TARGET@` in place of the address and the host, and the
 * `ping` script (or the in-memory runner) prints the header and fills them in.
 *
 * iputils (ping_common.c): replies `64 bytes from A: icmp_seq=N ttl=T time=X ms` with X to 3, 2,
 * 1 or 0 decimals as the round trip is under 1, 10, 100 ms or more; statistics
 * `N packets transmitted, M received, L% packet loss, time Tms` (loss with %g) and
 * `rtt min/avg/max/mdev = ...` in integer µs (avg and mdev truncated), or an empty line when
 * nothing came back. BusyBox (networking/ping.c): replies `... seq=N ttl=T time=X.XXX ms` from
 * seq 0, `N packets transmitted, M packets received, L% packet loss` (integer division) and
 * `round-trip min/avg/max = ...` only when something came back.
 */
import type { EchoRun } from "../lineQuality.js";

const msText = (us: number) => `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, "0")}`;

/** iputils' reply time: fewer decimals as the round trip grows. */
function iputilsTime(us: number): string {
  if (us >= 100_000 - 50) return `${Math.floor((us + 500) / 1000)}`;
  if (us >= 10_000 - 5) return `${Math.floor((us + 50) / 1000)}.${Math.floor(((us + 50) % 1000) / 100)}`;
  if (us >= 1_000)
    return `${Math.floor((us + 5) / 1000)}.${String(Math.floor(((us + 5) % 1000) / 10)).padStart(2, "0")}`;
  return msText(us);
}

/** C's %g for the loss percentage as iputils computes it (a float, six significant digits). */
export function percentG(value: number): string {
  const f = Math.fround(value);
  if (f === 0) return "0";
  return String(Number(f.toPrecision(6)));
}

function integerSqrt(n: number): number {
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}

export function renderIputilsPingBody(run: EchoRun): string {
  let out = "";
  const got: number[] = [];
  run.rttsUs.forEach((us, i) => {
    if (us === null) return;
    got.push(us);
    out += `64 bytes from @ADDR@: icmp_seq=${i + 1} ttl=${run.ttl} time=${iputilsTime(us)} ms\n`;
  });
  const sent = run.rttsUs.length;
  const loss = percentG(((sent - got.length) * 100) / sent);
  out += `\n--- @TARGET@ ping statistics ---\n`;
  out += `${sent} packets transmitted, ${got.length} received, ${loss}% packet loss, time ${run.elapsedMs}ms\n`;
  if (got.length === 0) return `${out}\n`;
  const n = got.length;
  const sum = got.reduce((a, b) => a + b, 0);
  const sum2 = got.reduce((a, b) => a + b * b, 0);
  const avg = Math.trunc(sum / n);
  // iputils' order of operations, which keeps small round trips from rounding to zero.
  const mdev = integerSqrt(Math.max(0, Math.trunc((sum2 - Math.trunc((sum * sum) / n)) / n)));
  return `${out}rtt min/avg/max/mdev = ${msText(Math.min(...got))}/${msText(avg)}/${msText(Math.max(...got))}/${msText(mdev)} ms\n`;
}

export function renderBusyboxPingBody(run: EchoRun): string {
  let out = "";
  const got: number[] = [];
  run.rttsUs.forEach((us, i) => {
    if (us === null) return;
    got.push(us);
    out += `64 bytes from @ADDR@: seq=${i} ttl=${run.ttl} time=${msText(us)} ms\n`;
  });
  const sent = run.rttsUs.length;
  out += `\n--- @TARGET@ ping statistics ---\n`;
  out += `${sent} packets transmitted, ${got.length} packets received, ${Math.floor(((sent - got.length) * 100) / sent)}% packet loss\n`;
  if (got.length === 0) return out;
  const avg = Math.floor(got.reduce((a, b) => a + b, 0) / got.length);
  return `${out}round-trip min/avg/max = ${msText(Math.min(...got))}/${msText(avg)}/${msText(Math.max(...got))} ms\n`;
}

/** The first line, which the script prints itself (it needs the host as typed). */
export function pingHeader(tool: "iputils" | "busybox", target: string, address: string): string {
  if (tool === "busybox") return `PING ${target} (${address}): 56 data bytes\n`;
  return address.includes(":")
    ? `PING ${target}(${address}) 56 data bytes\n`
    : `PING ${target} (${address}) 56(84) bytes of data.\n`;
}
