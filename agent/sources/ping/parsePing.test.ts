import { describe, expect, it } from "vitest";
import { parsePing } from "./parsePing.js";

/** BusyBox ping's own formats (networking/ping.c): `seq=` from 0, times as %u.%03u. */
function busybox(host: string, times: number[], sent = times.length): string {
  const ms = (t: number) => (t / 1000).toFixed(3);
  let text = `PING ${host} (${host}): 56 data bytes\n`;
  times.forEach((t, i) => {
    text += `64 bytes from ${host}: seq=${i} ttl=64 time=${ms(t)} ms\n`;
  });
  const received = times.length;
  text += `\n--- ${host} ping statistics ---\n`;
  text += `${sent} packets transmitted, ${received} packets received, ${Math.trunc(((sent - received) * 100) / sent)}% packet loss\n`;
  if (received > 0) {
    const avg = Math.trunc(times.reduce((a, b) => a + b, 0) / received);
    text += `round-trip min/avg/max = ${ms(Math.min(...times))}/${ms(avg)}/${ms(Math.max(...times))} ms\n`;
  }
  return text;
}

describe("parsePing", () => {
  it("computes BusyBox jitter as iputils' mdev (population standard deviation)", () => {
    // 10, 20, 30 ms: mean 20, mdev sqrt((100 + 0 + 100) / 3) = 8.165 ms.
    const [result] = parsePing(busybox("8.8.8.8", [10_000, 20_000, 30_000])).records;
    expect(result).toMatchObject({
      tool: "busybox",
      sent: 3,
      received: 3,
      lossPercent: 0,
      rttAvgMs: 20,
      jitterMs: 8.165,
    });
  });

  it("reads a 5,000-reply run", () => {
    const times = Array.from({ length: 5000 }, (_, i) => 10_000 + (i % 7) * 1000);
    const result = parsePing(busybox("192.168.1.1", times, 5100));
    expect(result.skipped).toEqual([]);
    expect(result.records[0]).toMatchObject({
      sent: 5100,
      received: 5000,
      lossPercent: 1.961,
      rttMinMs: 10,
      rttMaxMs: 16,
    });
  });

  it("reads iputils with -D timestamps and `pipe` on the rtt line", () => {
    const text = [
      "PING 192.168.1.1 (192.168.1.1) 56(84) bytes of data.",
      "[1732360000.123456] 64 bytes from 192.168.1.1: icmp_seq=1 ttl=64 time=0.412 ms",
      "[1732360000.223456] 64 bytes from 192.168.1.1: icmp_seq=2 ttl=64 time=0.388 ms",
      "[1732360000.323456] 64 bytes from 192.168.1.1: icmp_seq=2 ttl=64 time=0.401 ms (DUP!)",
      "",
      "--- 192.168.1.1 ping statistics ---",
      "3 packets transmitted, 2 received, +1 duplicates, 33.3333% packet loss, time 202ms",
      "rtt min/avg/max/mdev = 0.388/0.400/0.412/0.009 ms, pipe 2",
      "",
    ].join("\n");
    expect(parsePing(text)).toEqual({
      records: [
        {
          target: "192.168.1.1",
          address: "192.168.1.1",
          tool: "iputils",
          sent: 3,
          received: 2,
          duplicates: 1,
          errors: 0,
          lossPercent: 33.333,
          rttMinMs: 0.388,
          rttAvgMs: 0.4,
          rttMaxMs: 0.412,
          jitterMs: 0.009,
          error: null,
        },
      ],
      skipped: [],
    });
  });

  it("keeps an error seen during a run that still printed statistics", () => {
    const text = [
      "PING 8.8.8.8 (8.8.8.8) 56(84) bytes of data.",
      "ping: sendmsg: Network is unreachable",
      "64 bytes from 8.8.8.8: icmp_seq=2 ttl=117 time=12.9 ms",
      "",
      "--- 8.8.8.8 ping statistics ---",
      "2 packets transmitted, 1 received, 50% packet loss, time 1001ms",
      "rtt min/avg/max/mdev = 12.900/12.900/12.900/0.000 ms",
      "",
    ].join("\n");
    expect(parsePing(text).records[0]).toMatchObject({
      received: 1,
      lossPercent: 50,
      error: "Network is unreachable",
    });
  });

  it("reports lines it does not know and never throws", () => {
    expect(parsePing("hello\n").skipped).toEqual([
      { line: 1, reason: "not part of a ping run", text: "hello" },
    ]);
    for (const text of [
      "PING",
      "PING x (",
      "--- x ping statistics ---\n1 packets transmitted",
      "\u0000",
      "ping: ",
    ]) {
      expect(() => parsePing(text)).not.toThrow();
    }
  });
});
