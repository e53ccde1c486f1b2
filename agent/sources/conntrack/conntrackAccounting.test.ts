import { describe, expect, it } from "vitest";
import { liveHeapBytes } from "../../../test/helpers.js";
import { ConntrackAccounting, MAX_TRACKED_ADDRESSES } from "./conntrackAccounting.js";
import type { ConntrackFlow } from "./parseConntrack.js";

function flow(port: number, orig: number, reply: number, extra: Partial<ConntrackFlow> = {}): ConntrackFlow {
  return {
    id: `tcp src=192.168.1.23 dst=93.184.216.34 sport=${port} dport=443`,
    ctId: null,
    family: "ipv4",
    protocol: "tcp",
    lanIp: "192.168.1.23",
    lanIsOriginator: true,
    origPackets: Math.ceil(orig / 100),
    origBytes: orig,
    replyPackets: Math.ceil(reply / 100),
    replyBytes: reply,
    ...extra,
  };
}

const T0 = 1_732_360_000_000;

describe("ConntrackAccounting", () => {
  it("adds only what a known flow grew by", () => {
    const acc = new ConntrackAccounting();
    expect(acc.update([flow(1, 100, 1000)], T0)).toBe("on");
    acc.update([flow(1, 150, 1800)], T0 + 10_000);
    expect(acc.totals()).toEqual([
      {
        ip: "192.168.1.23",
        txBytes: 150,
        rxBytes: 1800,
        txPackets: 2,
        rxPackets: 18,
        activeFlows: 1,
        lastSeenAt: T0 + 10_000,
      },
    ]);
  });

  it("keeps a vanished flow's bytes in the total", () => {
    const acc = new ConntrackAccounting();
    acc.update([flow(1, 100, 1000), flow(2, 50, 500)], T0);
    acc.update([flow(2, 60, 700)], T0 + 10_000);
    expect(acc.totals()[0]).toMatchObject({ txBytes: 160, rxBytes: 1700, activeFlows: 1 });
    acc.update([], T0 + 20_000);
    expect(acc.totals()[0]).toMatchObject({ txBytes: 160, rxBytes: 1700, activeFlows: 0 });
  });

  it("counts a flow whose counters went down as a new flow", () => {
    const acc = new ConntrackAccounting();
    acc.update([flow(1, 5000, 90_000)], T0);
    // Same tuple, smaller counters: the old connection ended and the port was reused.
    acc.update([flow(1, 300, 2000)], T0 + 10_000);
    expect(acc.totals()[0]).toMatchObject({ txBytes: 5300, rxBytes: 92_000 });
    acc.update([flow(1, 400, 2500)], T0 + 20_000);
    expect(acc.totals()[0]).toMatchObject({ txBytes: 5400, rxBytes: 92_500 });
  });

  it("counts a changed conntrack id for the same tuple as a new flow", () => {
    const acc = new ConntrackAccounting();
    acc.update([flow(1, 100, 1000, { ctId: 7 })], T0);
    acc.update([flow(1, 200, 2000, { ctId: 8 })], T0 + 10_000);
    expect(acc.totals()[0]).toMatchObject({ txBytes: 300, rxBytes: 3000 });
  });

  it("turns the directions round for a flow opened from outside (port forward)", () => {
    const acc = new ConntrackAccounting();
    acc.update([flow(1, 400, 90_000, { lanIsOriginator: false, lanIp: "192.168.1.2" })], T0);
    expect(acc.totals()[0]).toMatchObject({ ip: "192.168.1.2", txBytes: 90_000, rxBytes: 400 });
  });

  it("leaves the totals alone when accounting is off", () => {
    const acc = new ConntrackAccounting();
    acc.update([flow(1, 100, 1000)], T0);
    const off = flow(1, 0, 0, { origBytes: null, replyBytes: null, origPackets: null, replyPackets: null });
    expect(acc.update([off], T0 + 10_000)).toBe("off");
    expect(acc.totals()[0]).toMatchObject({ txBytes: 100, rxBytes: 1000, activeFlows: 1 });
    expect(acc.update([], T0 + 20_000)).toBe("unknown");
  });

  it("forgets an address that moved to another device", () => {
    const acc = new ConntrackAccounting();
    acc.update([flow(1, 100, 1000)], T0);
    acc.forget("192.168.1.23");
    expect(acc.totals()).toEqual([]);
    acc.update([flow(1, 150, 1500)], T0 + 10_000);
    // The flow's history went with the address: all of its counters count for the new holder.
    expect(acc.totals()[0]).toMatchObject({ txBytes: 150, rxBytes: 1500 });
  });

  it("keeps at most MAX_TRACKED_ADDRESSES, dropping the longest unseen", () => {
    const acc = new ConntrackAccounting();
    for (let i = 0; i <= MAX_TRACKED_ADDRESSES; i++) {
      const ip = `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
      acc.update([flow(1, 1, 1, { lanIp: ip, id: `tcp src=${ip} dst=1.1.1.1 sport=1 dport=443` })], T0 + i);
    }
    const totals = acc.totals();
    expect(totals).toHaveLength(MAX_TRACKED_ADDRESSES);
    expect(totals.some((t) => t.ip === "10.0.0.0")).toBe(false);
  });

  it("keeps none of the readings it was given: an address seen long ago holds no old conntrack table", () => {
    const acc = new ConntrackAccounting();
    const before = liveHeapBytes();
    for (let i = 0; i < 30; i++) {
      // Each reading a 1-MB table in which a new address appears; parsers cut fields out of it.
      const table = `src=192.168.100.${i + 100} ${"x".repeat(1_000_000)}`;
      const lanIp = table.slice(4, 19);
      acc.update([flow(1, 100, 1000, { id: `new ${i}`, lanIp })], T0 + i * 10_000);
    }
    expect(acc.totals()).toHaveLength(30);
    // Kept, the tables would be 30 MB; the latest reading's flows may hold one.
    expect(liveHeapBytes() - before).toBeLessThan(4_000_000);
  });
});
