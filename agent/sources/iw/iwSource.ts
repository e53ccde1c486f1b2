/**
 * The Wi-Fi source: `iw dev` for the radios, `iw dev IF station dump` for the clients of each
 * client-serving interface, and `iw dev IF survey dump` once per wiphy for the in-use channel's
 * noise and airtime. A gateway without `iw` has the source absent; a failing `iw dev` is an
 * error; a station or survey dump that fails for one interface (down, removed mid-cycle,
 * unsupported by the driver) becomes one skipped entry and the other interfaces still count.
 */
import type { Radio, Station } from "../../../protocol/index.js";
import { type SkippedLine, skippedLine } from "../parseResult.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseIwDev } from "./parseIwDev.js";
import { parseIwStationDump } from "./parseIwStationDump.js";
import { parseIwSurveyDump, surveyInUse } from "./parseIwSurveyDump.js";

/**
 * Interface types whose stations are this gateway's clients. A managed (client) interface lists
 * the upstream AP and a mesh point lists neighbouring nodes: neither are clients to report.
 * AP/VLAN interfaces list their own stations, which the parent AP's dump does not repeat.
 */
const CLIENT_SERVING_TYPES = new Set(["AP", "AP/VLAN", "P2P-GO"]);

/** Survey data belongs to the wiphy; it is read through the first AP interface of each phy. */
const SURVEY_TYPES = new Set(["AP"]);

export function createIwSource(): Source {
  return {
    name: "iw",
    async detect(ctx) {
      const result = await ctx.runCommand("iw", ["--version"]);
      return result.status !== "absent";
    },
    collect,
  };
}

async function collect(ctx: SourceContext): Promise<SourceOutcome> {
  const dev = await ctx.runCommand("iw", ["dev"]);
  if (dev.status === "absent") return { status: "absent", reason: dev.reason };
  if (dev.status === "error") return { status: "error", error: dev.error };

  const skipped: SkippedLine[] = [];
  const devResult = parseIwDev(dev.stdout);
  addSkipped(skipped, "iw dev", devResult.skipped);
  const radios: Radio[] = devResult.records;

  const stations: Station[] = [];
  for (const radio of radios) {
    if (!CLIENT_SERVING_TYPES.has(radio.type)) continue;
    const args = ["dev", radio.interface, "station", "dump"];
    const stdout = await runForInterface(ctx, args, skipped);
    if (stdout === null) continue;
    const result = parseIwStationDump(stdout);
    addSkipped(skipped, `iw ${args.join(" ")}`, result.skipped);
    stations.push(...result.records);
  }

  const surveyed = new Set<string>();
  for (const radio of radios) {
    if (!SURVEY_TYPES.has(radio.type) || radio.frequencyMhz === null) continue;
    const phyKey = radio.phy ?? `interface ${radio.interface}`;
    if (surveyed.has(phyKey)) continue;
    surveyed.add(phyKey);
    const args = ["dev", radio.interface, "survey", "dump"];
    const stdout = await runForInterface(ctx, args, skipped);
    if (stdout === null) continue;
    const result = parseIwSurveyDump(stdout);
    addSkipped(skipped, `iw ${args.join(" ")}`, result.skipped);
    // Noise and airtime belong to the channel: every interface of this phy on it shares them.
    for (const other of radios) {
      const samePhy = radio.phy === null ? other === radio : other.phy === radio.phy;
      if (!samePhy || other.frequencyMhz === null) continue;
      const survey = surveyInUse(result.records, other.frequencyMhz);
      if (survey) Object.assign(other, survey);
    }
  }

  return { status: "ok", records: { radios, stations }, skipped };
}

/** Runs one per-interface command; a failure becomes a skipped entry (line 0: the whole output). */
async function runForInterface(
  ctx: SourceContext,
  args: readonly string[],
  skipped: SkippedLine[],
): Promise<string | null> {
  const result = await ctx.runCommand("iw", args);
  if (result.status === "ok") return result.stdout;
  const why = result.status === "absent" ? result.reason : result.error;
  skipped.push(skippedLine(0, `iw ${args.join(" ")}: ${why}`, ""));
  return null;
}

/** Line numbers are per command output, so each reason names the command it came from. */
function addSkipped(into: SkippedLine[], command: string, from: readonly SkippedLine[]): void {
  for (const s of from) into.push({ ...s, reason: `${command}: ${s.reason}` });
}
