import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { createRouterSource, ROUTER_IDENTITY_REFRESH_MS } from "./routerSource.js";

const fixture = (path: string) => readFileSync(join(import.meta.dirname, "../../../fixtures", path), "utf8");

describe("router source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("reports identity, the WAN side, load and memory", async () => {
    ctx = fakeSourceContext((command, args) => {
      if (command === "ubus")
        return { status: "ok", stdout: fixture("ubus-system-board/openwrt-23.05-ramips.json") };
      if (command === "ip" && args.join(" ") === "-j addr show dev wan") {
        return {
          status: "ok",
          stdout: JSON.stringify([{ ifname: "wan", addr_info: [{ local: "203.0.113.7", scope: "global" }] }]),
        };
      }
      return { status: "absent", reason: `${command} is not installed` };
    });
    ctx.write("/etc/openwrt_release", fixture("openwrt-release/openwrt-24.10.4.txt"));
    ctx.write(
      "/proc/net/route",
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nwan\t00000000\t0171000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
    );
    ctx.write("/sys/class/net/wan/address", "04:F0:21:AA:BB:CC\n");
    ctx.write("/proc/loadavg", "0.08 0.03 0.01 1/98 1234\n");
    ctx.write(
      "/proc/meminfo",
      "MemTotal:         245760 kB\nMemFree:           40000 kB\nMemAvailable:     131072 kB\n",
    );
    const outcome = await createRouterSource().collect(ctx);
    expect(outcome.status).toBe("ok");
    const router = outcome.status === "ok" ? outcome.records.router : undefined;
    expect(router).toMatchObject({
      wanInterface: "wan",
      wanMac: "04:f0:21:aa:bb:cc",
      wanAddresses: ["203.0.113.7"],
      load1: 0.08,
      memTotalBytes: 245760 * 1024,
      memAvailableBytes: 131072 * 1024,
    });
    expect(router?.model).toBeTruthy();
    // ubus (the running system) is asked first; the release file only fills what it does not say.
    expect(router?.firmware).toMatch(/^OpenWrt 23\.05/);
  });

  it("gives nulls, not errors, on a bare system", async () => {
    ctx = fakeSourceContext();
    ctx.write("/proc/loadavg", "garbage");
    const source = createRouterSource();
    expect(await source.detect(ctx)).toBe(true);
    const outcome = await source.collect(ctx);
    expect(outcome).toMatchObject({
      status: "ok",
      records: { router: { wanInterface: null, load1: null, model: null } },
    });
  });
});

describe("router source caching", () => {
  it("asks ubus and ip for identity and WAN addresses only when their refresh is due", async () => {
    let now = 1_000_000;
    const ctx = fakeSourceContext((command) =>
      command === "ip" ? { status: "ok", stdout: "[]" } : { status: "error", error: "ubus: Not found" },
    );
    const timed = { ...ctx, now: () => now };
    ctx.write("/proc/loadavg", "0.10 0.05 0.01 1/98 1234\n");
    ctx.write(
      "/proc/net/route",
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nwan\t00000000\t0171000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
    );
    const source = createRouterSource();
    try {
      await source.collect(timed);
      const first = ctx.commands.length;
      expect(ctx.commands).toEqual(["ubus call system board", "ip -j addr show dev wan"]);
      now += 30_000;
      await source.collect(timed);
      expect(ctx.commands.length).toBe(first);
      now += ROUTER_IDENTITY_REFRESH_MS;
      await source.collect(timed);
      expect(ctx.commands.slice(first)).toEqual(["ubus call system board", "ip -j addr show dev wan"]);
    } finally {
      ctx.cleanup();
    }
  });
});
