/**
 * The Wi-Fi source: `iw dev` for the radios, `iw dev IF station dump` for the clients of each
 * client-serving interface, and `iw dev IF survey dump` once per wiphy for the in-use channel's
 * noise and airtime. A gateway without `iw` has the source absent; a failing `iw dev` is an
 * error; a station or survey dump that fails for one interface (down, removed mid-cycle,
 * unsupported by the driver) becomes one skipped entry and the other interfaces still count.
 *
 * Every process costs the agent about a millisecond of CPU, so only the station dumps run every
 * cycle: `iw dev` and the surveys are remembered for a while (parsed, and reported exactly as
 * when fresh, skipped lines included). A remembered interface list is dropped at once when the
 * interfaces in /sys/class/net change or a dump says an interface has gone.
 */
import type { Radio, Station } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";
import { RefreshCache } from "../refreshCache.js";
import type { ChangeRecords, Source, SourceContext, SourceOutcome, StationMembership } from "../source.js";
import { listIwStations } from "./listIwStations.js";
import { parseIwDev } from "./parseIwDev.js";
import { parseIwStationDump } from "./parseIwStationDump.js";
import { parseIwSurveyDump, type SurveyRecord, surveyInUse } from "./parseIwSurveyDump.js";

/**
 * Interface types whose stations are this gateway's clients. A managed (client) interface lists
 * the upstream AP and a mesh point lists neighbouring nodes: neither are clients to report.
 * AP/VLAN interfaces list their own stations, which the parent AP's dump does not repeat.
 */
const CLIENT_SERVING_TYPES = new Set(["AP", "AP/VLAN", "P2P-GO"]);

/** Survey data belongs to the wiphy; it is read through the first AP interface of each phy. */
const SURVEY_TYPES = new Set(["AP"]);

/** `iw dev` (interfaces, types, channels) changes only when the Wi-Fi is reconfigured. */
export const IW_DEV_REFRESH_MS = 60_000;

/** Survey times are cumulative: utilisation is a delta over tens of seconds whatever we poll. */
export const IW_SURVEY_REFRESH_MS = 60_000;

/** The first survey is taken again after half the interval, so later surveys fall between `iw dev` refreshes. */
const IW_SURVEY_FIRST_REFRESH_MS = IW_SURVEY_REFRESH_MS / 2;

/** What iw prints (`command failed: No such device (-19)`) for an interface that is not there. */
const VANISHED = /No such device/;

/** The interface list where it lives: sysfs. Only its names are read, to notice a change. */
const NET_DEVICES_DIR = "/sys/class/net";

interface Listing {
  dev: ParseResult<Radio>;
  /** /sys/class/net's names when `iw dev` ran; a different set means an interface came or went. */
  netDevices: string | null;
}

interface Survey {
  interface: string;
  frequencyMhz: number;
  result: ParseResult<SurveyRecord>;
}

interface IwState {
  listing: RefreshCache<Listing>;
  /** By phy (or by interface for a radio without one). */
  surveys: Map<string, RefreshCache<Survey>>;
}

export function createIwSource(): Source {
  const state: IwState = { listing: new RefreshCache(IW_DEV_REFRESH_MS), surveys: new Map() };
  return {
    name: "iw",
    async detect(ctx) {
      const result = await ctx.runCommand("iw", ["--version"]);
      return result.status !== "absent";
    },
    collect: (ctx) => collect(ctx, state),
    probe: (ctx) => probe(ctx, state),
  };
}

/** Thrown away and collected again with a fresh `iw dev`: the remembered one no longer matches. */
const STALE = Symbol("stale interface list");

/** The interface list to use now (remembered or fresh), or why there is none. */
type CurrentListing =
  | { listing: Listing; remembered: boolean }
  | { status: "absent"; reason: string }
  | { status: "error"; error: string };

async function currentListing(ctx: SourceContext, state: IwState, now: number): Promise<CurrentListing> {
  const netDevices = await listNetDevices(ctx);
  let listing = state.listing.get(now);
  if (listing && listing.netDevices !== netDevices) listing = null;
  if (listing) return { listing, remembered: true };
  const dev = await ctx.runCommand("iw", ["dev"]);
  if (dev.status !== "ok") state.listing.clear();
  if (dev.status === "absent") return { status: "absent", reason: dev.reason };
  if (dev.status === "error") return { status: "error", error: dev.error };
  listing = { dev: parseIwDev(dev.stdout), netDevices };
  state.listing.set(now, listing);
  return { listing, remembered: false };
}

/**
 * Runs `use` on the current interface list; when it finds a remembered list out of date
 * (STALE), once more on a fresh one, which cannot be.
 */
async function withListing<T>(
  ctx: SourceContext,
  state: IwState,
  use: (dev: ParseResult<Radio>, now: number, remembered: boolean) => Promise<T | typeof STALE>,
): Promise<T | Exclude<CurrentListing, { listing: Listing }>> {
  const now = ctx.now();
  const current = await currentListing(ctx, state, now);
  if (!("listing" in current)) return current;
  const outcome = await use(current.listing.dev, now, current.remembered);
  if (outcome !== STALE) return outcome;
  state.listing.clear();
  return withListing(ctx, state, use);
}

function collect(ctx: SourceContext, state: IwState): Promise<SourceOutcome> {
  return withListing(ctx, state, (dev, now, remembered) => collectWith(ctx, dev, now, state, remembered));
}

/** The change check's look: which stations are on which interface, from the dumps' headers. */
async function probe(ctx: SourceContext, state: IwState): Promise<ChangeRecords> {
  const outcome = await withListing(ctx, state, async (dev, _now, remembered) => {
    const known = new Set(dev.records.map((r) => r.interface));
    const stations: StationMembership[] = [];
    for (const radio of dev.records) {
      if (!CLIENT_SERVING_TYPES.has(radio.type)) continue;
      // A failing dump lists no stations: the change check then sees a change, and the full
      // collection that follows reports the failure.
      const stdout = await runForInterface(ctx, ["dev", radio.interface, "station", "dump"], [], remembered);
      if (stdout === STALE) return STALE;
      if (stdout === null) continue;
      for (const s of listIwStations(stdout)) {
        if (remembered && !known.has(s.interface)) return STALE;
        stations.push(s);
      }
    }
    return { stations };
  });
  return "stations" in outcome ? outcome : {};
}

/**
 * One cycle on a given interface list. With a remembered list, a sign that it is out of date
 * (an interface gone, a station on an interface it does not name) returns STALE instead.
 */
async function collectWith(
  ctx: SourceContext,
  dev: ParseResult<Radio>,
  now: number,
  state: IwState,
  remembered: boolean,
): Promise<SourceOutcome | typeof STALE> {
  const skipped: SkippedLine[] = [];
  addSkipped(skipped, "iw dev", dev.skipped);
  // Copies: the survey fields are filled in below, and the list may be used again next cycle.
  const radios: Radio[] = dev.records.map((r) => ({ ...r }));
  const known = new Set(radios.map((r) => r.interface));

  const stations: Station[] = [];
  for (const radio of radios) {
    if (!CLIENT_SERVING_TYPES.has(radio.type)) continue;
    const args = ["dev", radio.interface, "station", "dump"];
    const stdout = await runForInterface(ctx, args, skipped, remembered);
    if (stdout === STALE) return STALE;
    if (stdout === null) continue;
    const result = parseIwStationDump(stdout);
    addSkipped(skipped, `iw ${args.join(" ")}`, result.skipped);
    for (const s of result.records) {
      if (remembered && !known.has(s.interface)) return STALE;
      stations.push(s);
    }
  }

  const surveyed = new Set<string>();
  for (const radio of radios) {
    if (!SURVEY_TYPES.has(radio.type) || radio.frequencyMhz === null) continue;
    const phyKey = radio.phy ?? `interface ${radio.interface}`;
    if (surveyed.has(phyKey)) continue;
    surveyed.add(phyKey);
    const args = ["dev", radio.interface, "survey", "dump"];
    let cache = state.surveys.get(phyKey);
    if (!cache) {
      cache = new RefreshCache(IW_SURVEY_REFRESH_MS, IW_SURVEY_FIRST_REFRESH_MS);
      state.surveys.set(phyKey, cache);
    }
    let survey = cache.get(now);
    // A channel change makes the remembered `[in use]` mark wrong: survey again at once.
    if (survey && (survey.interface !== radio.interface || survey.frequencyMhz !== radio.frequencyMhz)) {
      survey = null;
    }
    if (!survey) {
      cache.clear();
      const stdout = await runForInterface(ctx, args, skipped, remembered);
      if (stdout === STALE) return STALE;
      if (stdout === null) continue;
      survey = {
        interface: radio.interface,
        frequencyMhz: radio.frequencyMhz,
        result: parseIwSurveyDump(stdout),
      };
      cache.set(now, survey);
    }
    addSkipped(skipped, `iw ${args.join(" ")}`, survey.result.skipped);
    // Noise and airtime belong to the channel: every interface of this phy on it shares them.
    for (const other of radios) {
      const samePhy = radio.phy === null ? other === radio : other.phy === radio.phy;
      if (!samePhy || other.frequencyMhz === null) continue;
      const inUse = surveyInUse(survey.result.records, other.frequencyMhz);
      if (inUse) Object.assign(other, inUse);
    }
  }
  for (const key of state.surveys.keys()) if (!surveyed.has(key)) state.surveys.delete(key);

  return { status: "ok", records: { radios, stations }, skipped };
}

/**
 * Runs one per-interface command; a failure becomes a skipped entry (line 0: the whole output),
 * except an interface that has gone while the list naming it was remembered: STALE.
 */
async function runForInterface(
  ctx: SourceContext,
  args: readonly string[],
  skipped: SkippedLine[],
  remembered: boolean,
): Promise<string | null | typeof STALE> {
  const result = await ctx.runCommand("iw", args);
  if (result.status === "ok") return result.stdout;
  const why = result.status === "absent" ? result.reason : result.error;
  if (remembered && VANISHED.test(why)) return STALE;
  skipped.push(skippedLine(0, `iw ${args.join(" ")}: ${why}`, ""));
  return null;
}

/** The names in /sys/class/net as one comparable string; null where there is no sysfs. */
async function listNetDevices(ctx: SourceContext): Promise<string | null> {
  const names = await ctx.listSystemDir(NET_DEVICES_DIR).catch(() => null);
  return names === null ? null : names.sort().join(" ");
}

/** Line numbers are per command output, so each reason names the command it came from. */
function addSkipped(into: SkippedLine[], command: string, from: readonly SkippedLine[]): void {
  for (const s of from) into.push({ ...s, reason: `${command}: ${s.reason}` });
}
