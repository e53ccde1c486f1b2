import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import type { CommandResult } from "../runCommand.js";
import { createConntrackSource, LAN_PREFIXES_REFRESH_MS } from "./conntrackSource.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures/conntrack", name), "utf8");
const ipAddr = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures/ip-addr-json", name), "utf8");

const ROUTE =
  "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
  "pppoe-wan\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n";
const PHONE = "2001:0db8:0004:1f00:1c2b:3a4d:5e6f:7081";
const REMOTE = "2a00:1450:4001:082f:0000:0000:0000:200e";
/** One IPv6 flow of a host with a global address, as /proc prints it; and one IPv4 flow. */
const table = (bytes: number) =>
  `ipv6     10 tcp      6 300 ESTABLISHED src=${PHONE} dst=${REMOTE} sport=50522 dport=443 packets=3 bytes=${bytes} src=${REMOTE} dst=${PHONE} sport=443 dport=50522 packets=4 bytes=${bytes * 10} [ASSURED] mark=0 zone=0 use=2\n` +
  `ipv4     2 tcp      6 300 ESTABLISHED src=192.168.1.23 dst=93.184.216.34 sport=51234 dport=443 packets=1 bytes=${bytes} src=93.184.216.34 dst=100.64.23.45 sport=443 dport=51234 packets=1 bytes=${bytes * 2} [ASSURED] mark=0 zone=0 use=2\n`;

describe("conntrack source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("accumulates traffic per LAN address across readings, keeping the bytes of flows that ended", async () => {
    ctx = fakeSourceContext();
    ctx.write("/proc/net/nf_conntrack", fixture("openwrt-router-acct.txt"));
    const source = createConntrackSource();
    const first = await source.collect(ctx);
    expect(first.status).toBe("ok");
    const before = first.status === "ok" ? (first.records.traffic ?? []) : [];
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((t) => t.source === "conntrack" && t.mac === null && t.ip)).toBe(true);
    ctx.write("/proc/net/nf_conntrack", "");
    const second = await source.collect(ctx);
    expect(second.status === "ok" && second.records.traffic).toEqual(before);
  });

  it("says accounting is off instead of reporting zero traffic", async () => {
    ctx = fakeSourceContext();
    ctx.write("/proc/net/nf_conntrack", fixture("openwrt-router-no-acct.txt"));
    expect(await createConntrackSource().collect(ctx)).toMatchObject({
      status: "absent",
      reason: expect.stringMatching(/nf_conntrack_acct=1/),
    });
  });

  it("learns the LAN from the router's interfaces once a minute, so global IPv6 hosts count", async () => {
    let now = 1_000_000;
    let ip: CommandResult = { status: "ok", stdout: ipAddr("openwrt-23.05-pppoe.json") };
    ctx = fakeSourceContext(() => ip);
    const timed = { ...ctx, now: () => now };
    ctx.write("/proc/net/route", ROUTE);
    ctx.write("/proc/net/nf_conntrack", table(100));
    const source = createConntrackSource();
    const first = await source.collect(timed);
    expect(first).toMatchObject({ status: "ok", skipped: [] });
    const traffic = first.status === "ok" ? (first.records.traffic ?? []) : [];
    expect(traffic.map((t) => [t.ip, t.txBytes, t.rxBytes])).toEqual([
      ["2001:db8:4:1f00:1c2b:3a4d:5e6f:7081", 100, 1000],
      ["192.168.1.23", 100, 200],
    ]);
    expect(ctx.commands).toEqual(["ip -j addr show"]);
    // The first is learned again after half a minute, then every minute: not every cycle.
    for (let i = 0; i < 10; i++) {
      now += 10_000;
      await source.collect(timed);
    }
    expect(ctx.commands).toHaveLength(1 + 2);
    now += LAN_PREFIXES_REFRESH_MS;
    await source.collect(timed);
    expect(ctx.commands).toHaveLength(4);
    // `ip` goes away (BusyBox): private ranges again, said once, not every cycle.
    ip = { status: "error", error: "ip: exited with status 1: BusyBox v1.36.1 multi-call binary" };
    ctx.write("/proc/net/nf_conntrack", table(200));
    now += LAN_PREFIXES_REFRESH_MS;
    const fallback = await source.collect(timed);
    expect(fallback).toMatchObject({
      status: "ok",
      skipped: [
        { line: 0, reason: expect.stringMatching(/private ranges/), text: expect.stringMatching(/BusyBox/) },
      ],
    });
    // The IPv6 flow is no longer seen; the IPv4 one still grows.
    const after = fallback.status === "ok" ? (fallback.records.traffic ?? []) : [];
    expect(after.map((t) => [t.ip, t.txBytes])).toEqual([
      ["2001:db8:4:1f00:1c2b:3a4d:5e6f:7081", 100],
      ["192.168.1.23", 200],
    ]);
    now += LAN_PREFIXES_REFRESH_MS;
    expect(await source.collect(timed)).toMatchObject({ status: "ok", skipped: [] });
  });

  it("falls back to the private ranges where `ip` has no -j, and says so in its first cycle", async () => {
    ctx = fakeSourceContext((command) =>
      command === "ip"
        ? { status: "ok", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue\n" }
        : { status: "absent", reason: `${command} is not installed` },
    );
    ctx.write("/proc/net/nf_conntrack", table(100));
    const outcome = await createConntrackSource().collect(ctx);
    expect(outcome).toMatchObject({
      status: "ok",
      skipped: [{ reason: expect.stringMatching(/^LAN prefixes unknown/) }],
    });
    expect(outcome.status === "ok" && outcome.records.traffic?.map((t) => t.ip)).toEqual(["192.168.1.23"]);
  });
});
