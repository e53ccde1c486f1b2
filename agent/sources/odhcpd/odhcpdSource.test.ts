import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import type { CommandResult } from "../runCommand.js";
import { createOdhcpdSource } from "./odhcpdSource.js";

const fixture = (folder: string, name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures", folder, name), "utf8");
/** The fake context's clock, which the golden fixtures also use. */
const NOW = 1_732_360_000_000;

/** A fake `ubus` answering `call dhcp <method>` and `list dhcp` from a table. */
function ubus(replies: Record<string, CommandResult>) {
  return (command: string, args: readonly string[]): CommandResult => {
    if (command !== "ubus") return { status: "absent", reason: `${command} is not installed` };
    return (
      replies[args.join(" ")] ?? {
        status: "error",
        error: `ubus ${args.join(" ")} failed: Command failed: Not found`,
      }
    );
  };
}

describe("odhcpd source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("runs both ubus calls and converts seconds remaining with the gateway clock", async () => {
    ctx = fakeSourceContext(
      ubus({
        "list dhcp": { status: "ok", stdout: "dhcp\n" },
        "call dhcp ipv4leases": { status: "ok", stdout: fixture("odhcpd-ipv4", "openwrt-24.10.json") },
        "call dhcp ipv6leases": { status: "ok", stdout: fixture("odhcpd-ipv6", "openwrt-24.10.json") },
      }),
    );
    const source = createOdhcpdSource();
    expect(source.name).toBe("odhcpd");
    expect(await source.detect(ctx)).toBe(true);
    const outcome = await source.collect(ctx);
    expect(ctx.commands).toEqual([
      "ubus list dhcp",
      "ubus call dhcp ipv4leases",
      "ubus call dhcp ipv6leases",
    ]);
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    expect(outcome.records.leases).toHaveLength(9);
    expect(outcome.records.leases?.[0]).toEqual(
      expect.objectContaining({ ip: "192.168.1.143", expiresAt: NOW + 42_877_000, source: "odhcpd" }),
    );
    expect(outcome.records.leases?.[4]).toEqual(
      expect.objectContaining({ ip: "2001:db8:1234:5600::4d2", expiresAt: NOW + 3_321_000 }),
    );
  });

  it("reads an ipv6-only odhcpd (no ipv4leases method) as zero DHCPv4 leases", async () => {
    ctx = fakeSourceContext(
      ubus({
        "call dhcp ipv4leases": {
          status: "error",
          error: "ubus call dhcp ipv4leases failed: Command failed: Method not found",
        },
        "call dhcp ipv6leases": { status: "ok", stdout: fixture("odhcpd-ipv6", "static-infinite.json") },
      }),
    );
    const outcome = await createOdhcpdSource().collect(ctx);
    expect(outcome).toEqual({
      status: "ok",
      records: { leases: [expect.objectContaining({ ip: "2001:db8:1234:5600::64", expiresAt: null })] },
      skipped: [],
    });
  });

  it("names the method in skipped lines", async () => {
    ctx = fakeSourceContext(
      ubus({
        "call dhcp ipv4leases": { status: "ok", stdout: fixture("odhcpd-ipv4", "bad-leases.json") },
        "call dhcp ipv6leases": { status: "ok", stdout: fixture("odhcpd-ipv6", "no-leases.json") },
      }),
    );
    const outcome = await createOdhcpdSource().collect(ctx);
    expect(outcome.status === "ok" && outcome.skipped[0]).toEqual(
      expect.objectContaining({ line: 5, reason: "ipv4leases: invalid mac" }),
    );
  });

  it("is absent without ubus, and when odhcpd is not running", async () => {
    ctx = fakeSourceContext();
    const source = createOdhcpdSource();
    expect(await source.detect(ctx)).toBe(false);
    expect(await source.collect(ctx)).toEqual({ status: "absent", reason: "ubus is not installed" });
    ctx.cleanup();
    ctx = fakeSourceContext(ubus({}));
    expect(await source.detect(ctx)).toBe(false);
    expect(await source.collect(ctx)).toEqual({
      status: "absent",
      reason: expect.stringContaining("odhcpd is not running"),
    });
  });

  it("reports cut-off output as an error, not as every lease ended", async () => {
    ctx = fakeSourceContext(
      ubus({
        "call dhcp ipv4leases": { status: "ok", stdout: fixture("odhcpd-ipv4", "openwrt-24.10.json") },
        "call dhcp ipv6leases": { status: "ok", stdout: fixture("odhcpd-ipv6", "truncated.json") },
      }),
    );
    expect(await createOdhcpdSource().collect(ctx)).toEqual({
      status: "error",
      error: "ubus call dhcp ipv6leases: not valid JSON (cut off or garbage output)",
    });
  });

  it("passes a ubus timeout through as an error", async () => {
    ctx = fakeSourceContext(
      ubus({ "call dhcp ipv4leases": { status: "error", error: "ubus timed out after 5000 ms" } }),
    );
    expect(await createOdhcpdSource().collect(ctx)).toEqual({
      status: "error",
      error: "ubus timed out after 5000 ms",
    });
  });
});
