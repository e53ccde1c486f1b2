/**
 * Source "ip-neigh": IPv4 and IPv6 neighbours from `ip -j neigh show`. BusyBox `ip` (most
 * OpenWrt-derived firmware without the ip-full package) rejects `-j` with its usage text, and old
 * iproute2 either rejects it (`Option "-j" is unknown`) or ignores it for `neigh` and prints text;
 * those cases fall back to the text form.
 */
import type { Neighbor } from "../../../protocol/index.js";
import type { ParseResult } from "../parseResult.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { rememberingIpNeighJsonParser } from "./parseIpNeighJson.js";
import { parseIpNeighText } from "./parseIpNeighText.js";

/** What `ip` prints on stderr when it does not know `-j`: BusyBox's usage banner or iproute2's complaint. */
const NO_JSON_OPTION = /busybox|usage|unknown|invalid option|json|"-j"/i;

function outcome(result: ParseResult<Neighbor>): SourceOutcome {
  const whole = result.skipped.find((s) => s.line === 0);
  if (whole && result.records.length === 0)
    return { status: "error", error: `ip neigh output: ${whole.reason}` };
  return { status: "ok", records: { neighbors: result.records }, skipped: result.skipped };
}

export function createIpNeighSource(): Source {
  const parseJson = rememberingIpNeighJsonParser();
  return {
    name: "ip-neigh",
    async detect(ctx: SourceContext): Promise<boolean> {
      const result = await ctx.runCommand("ip", ["neigh", "show"]);
      return result.status !== "absent";
    },
    async collect(ctx: SourceContext): Promise<SourceOutcome> {
      const json = await ctx.runCommand("ip", ["-j", "neigh", "show"]);
      if (json.status === "absent") return { status: "absent", reason: json.reason };
      if (json.status === "ok") {
        const body = json.stdout.trimStart();
        return outcome(
          body === "" || body.startsWith("[") ? parseJson(json.stdout) : parseIpNeighText(json.stdout),
        );
      }
      // runCommand's message repeats the command line, which itself contains -j: look at stderr only.
      const at = json.error.indexOf("failed:");
      if (at < 0 || !NO_JSON_OPTION.test(json.error.slice(at + "failed:".length))) {
        return { status: "error", error: json.error };
      }
      const text = await ctx.runCommand("ip", ["neigh", "show"]);
      if (text.status === "absent") return { status: "absent", reason: text.reason };
      if (text.status === "error") return { status: "error", error: text.error };
      return outcome(parseIpNeighText(text.stdout));
    },
  };
}
