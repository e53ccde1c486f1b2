/**
 * odhcpd lease source (OpenWrt): asks odhcpd over ubus for its DHCPv4 and DHCPv6 leases.
 *
 * ubus prints lifetimes as seconds remaining, so the gateway clock is read right after each call.
 * Most OpenWrt images ship `odhcpd-ipv6only`, whose `dhcp` object has no `ipv4leases` method (dnsmasq
 * serves DHCPv4 there): that is zero DHCPv4 leases, not an error. No `dhcp` object at all means
 * odhcpd is not running, and no `ubus` binary means this is not OpenWrt: both are an absent source.
 */
import type { Lease } from "../../../protocol/index.js";
import type { ParseResult, SkippedLine } from "../parseResult.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseOdhcpdIpv4Leases, parseOdhcpdIpv6Leases } from "./parseOdhcpdLeases.js";

export interface OdhcpdSourceOptions {
  /** The ubus client; default `ubus` from PATH (and the context's extra command directories). */
  ubus?: string;
}

type CallOutcome =
  | { kind: "ok"; result: ParseResult<Lease> }
  | { kind: "no-method" }
  | { kind: "no-object"; reason: string }
  | { kind: "absent"; reason: string }
  | { kind: "error"; error: string };

/** ubus's own messages (`Command failed: Not found` / `Method not found`), as runCommand reports them. */
const METHOD_NOT_FOUND = /Method not found/i;
const OBJECT_NOT_FOUND = /Not found/i;

export function createOdhcpdSource(options: OdhcpdSourceOptions = {}): Source {
  const ubus = options.ubus ?? "ubus";

  async function call(
    ctx: SourceContext,
    method: string,
    parse: (text: string, now: number) => ParseResult<Lease>,
  ): Promise<CallOutcome> {
    const result = await ctx.runCommand(ubus, ["call", "dhcp", method]);
    const now = ctx.now();
    if (result.status === "absent") return { kind: "absent", reason: result.reason };
    if (result.status === "error") {
      if (METHOD_NOT_FOUND.test(result.error)) return { kind: "no-method" };
      if (OBJECT_NOT_FOUND.test(result.error)) return { kind: "no-object", reason: result.error };
      return { kind: "error", error: result.error };
    }
    const parsed = parse(result.stdout, now);
    // Garbage or cut-off output would otherwise read as "every lease ended".
    const unreadable = parsed.skipped.find((s) => s.line === 0);
    if (unreadable) return { kind: "error", error: `ubus call dhcp ${method}: ${unreadable.reason}` };
    return { kind: "ok", result: parsed };
  }

  return {
    name: "odhcpd",
    async detect(ctx) {
      const result = await ctx.runCommand(ubus, ["list", "dhcp"]);
      return result.status === "ok" && result.stdout.split("\n").some((line) => line.trim() === "dhcp");
    },
    async collect(ctx): Promise<SourceOutcome> {
      const v4 = await call(ctx, "ipv4leases", parseOdhcpdIpv4Leases);
      if (v4.kind === "absent") return { status: "absent", reason: v4.reason };
      if (v4.kind === "no-object")
        return { status: "absent", reason: `odhcpd is not running (${v4.reason})` };
      if (v4.kind === "error") return { status: "error", error: v4.error };
      const v6 = await call(ctx, "ipv6leases", parseOdhcpdIpv6Leases);
      if (v6.kind === "absent") return { status: "absent", reason: v6.reason };
      if (v6.kind === "no-object")
        return { status: "absent", reason: `odhcpd is not running (${v6.reason})` };
      if (v6.kind === "error") return { status: "error", error: v6.error };
      const leases: Lease[] = [];
      const skipped: SkippedLine[] = [];
      for (const [method, outcome] of [
        ["ipv4leases", v4],
        ["ipv6leases", v6],
      ] as const) {
        if (outcome.kind !== "ok") continue;
        leases.push(...outcome.result.records);
        for (const s of outcome.result.skipped) skipped.push({ ...s, reason: `${method}: ${s.reason}` });
      }
      return { status: "ok", records: { leases }, skipped };
    },
  };
}
