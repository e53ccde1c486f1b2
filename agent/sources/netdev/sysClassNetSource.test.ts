import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "./fakeSourceContext.js";
import { createSysClassNetSource, readSysClassNetStatistics } from "./sysClassNetSource.js";

const FILES = [
  "rx_bytes",
  "tx_bytes",
  "rx_packets",
  "tx_packets",
  "rx_errors",
  "tx_errors",
  "rx_dropped",
  "tx_dropped",
];

function writeInterface(ctx: FakeSourceContext, name: string, values: Record<string, string>): void {
  for (const file of FILES) {
    const value = values[file] ?? "0";
    ctx.write(`/sys/class/net/${name}/statistics/${file}`, `${value}\n`);
  }
}

describe("sysfs-net source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("reads every interface's statistics files", async () => {
    ctx = fakeSourceContext();
    writeInterface(ctx, "eth0", {
      rx_bytes: "262603104",
      tx_bytes: "570720",
      rx_packets: "8494",
      tx_dropped: "7",
    });
    writeInterface(ctx, "br-lan", {});
    ctx.write("/sys/class/net/bonding_masters", "\n");
    const result = await readSysClassNetStatistics(ctx);
    expect(result).toEqual({
      records: [
        {
          name: "br-lan",
          rxBytes: 0,
          txBytes: 0,
          rxPackets: 0,
          txPackets: 0,
          rxErrors: 0,
          txErrors: 0,
          rxDropped: 0,
          txDropped: 0,
        },
        {
          name: "eth0",
          rxBytes: 262603104,
          txBytes: 570720,
          rxPackets: 8494,
          txPackets: 0,
          rxErrors: 0,
          txErrors: 0,
          rxDropped: 0,
          txDropped: 7,
        },
      ],
      skipped: [],
    });
  });

  it("skips an interface with a missing or inexact counter and keeps the others", async () => {
    ctx = fakeSourceContext();
    writeInterface(ctx, "wan", { rx_bytes: "18446744073709551615" });
    writeInterface(ctx, "lan1", {});
    ctx.write("/sys/class/net/lan2/statistics/rx_bytes", "5\n");
    const source = createSysClassNetSource();
    expect(source.name).toBe("sysfs-net");
    const outcome = await source.collect(ctx);
    expect(outcome).toEqual({
      status: "ok",
      records: { interfaces: [expect.objectContaining({ name: "lan1" })] },
      skipped: [
        expect.objectContaining({ reason: "lan2: tx_bytes is missing" }),
        expect.objectContaining({
          reason: "wan: rx_bytes: 18446744073709551615 is 2^53 or more and cannot be stored exactly",
        }),
      ],
    });
  });

  it("is absent without /sys/class/net", async () => {
    ctx = fakeSourceContext();
    expect(await createSysClassNetSource().detect(ctx)).toBe(false);
    expect(await createSysClassNetSource().collect(ctx)).toEqual({
      status: "absent",
      reason: "/sys/class/net does not exist",
    });
  });
});
