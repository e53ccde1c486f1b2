/**
 * `iw dev IF station dump`: one block per associated station, starting `Station <mac> (on <if>)`,
 * then `\t<label>:\t<value>` lines, ending with `\tcurrent time:\t<ms> ms`.
 *
 * Parsed by label, never by position: iw 6.17 moved the flags (authorized, associated, ...)
 * to the top of the block and separates blocks with an empty line, and drivers leave out any
 * field they do not fill. The separator after the label varies: `signal:  \t-63 [-71, -66] dBm`
 * (two spaces and a tab, then an optional per-chain list), `MFP:\t\tno`, and none at all in
 * `last ack signal:-79 dBm`, `beacon interval:100`, `short slot time:yes`. Only lines indented
 * by exactly one tab belong to the station: deeper lines are the MSDU/TXQ tables of `-v`, the
 * per-link sections of Wi-Fi 7 MLO stations (`\tLink 0:` then `\t\t<label>:`), and iw 6.17's
 * mis-indented `\t\tbeacon rx:`. Bitrates read `54.0 MBit/s`, `(unknown)`, or a rate followed by
 * a description (`1200.9 MBit/s 80MHz HE-MCS 11 HE-NSS 2 HE-GI 0 HE-DCM 0`), kept verbatim.
 * `expected throughput:\t63.15Mbps` (whose fraction is not zero-padded: 63.015) has no protocol
 * field and is not read.
 *
 * Buggy drivers report positive or zero signals, all-chain `-95` placeholders, inactive times
 * near 2^32 ms (a negative value printed unsigned) and retries above packets, and some print only
 * a few fields. Implausible fields are named in `suspect` (with protocol field names); a signal or
 * time that would mislead is stored as null, counts that are merely odd are kept. The protocol
 * requires numbers for byte and packet counters, so a missing or unreadable counter is stored as 0
 * and named in `suspect`: the station is still reported, because its presence matters more than
 * its counters. A block whose header has no valid MAC or interface name is skipped as a whole;
 * a second block for the same station is skipped as a duplicate.
 */
import { normalizeMac, type Station } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";
import { endsMidLine, parseUnsigned, parseUnsignedWithUnit } from "./iwValues.js";

/** Same rule as parseIwDev: Linux interface names are at most 15 characters. */
const INTERFACE_NAME = /^[^\s/]{1,15}$/;

/**
 * hostapd drops a station after ap_max_inactivity (300 s by default); an inactive time of 2^31 ms
 * (24.8 days) or more is a negative or uninitialised value printed as unsigned.
 */
const MAX_PLAUSIBLE_INACTIVE_MS = 2 ** 31;

/** connected time is a u32 of seconds; 2^31 s (68 years) or more is the same wrap. */
const MAX_PLAUSIBLE_CONNECTED_SECONDS = 2 ** 31;

/** Drivers that have no per-chain reading report every chain as -95 dBm (their noise floor). */
const PLACEHOLDER_CHAIN_DBM = -95;

/** Received signals are below 0 dBm; a reading at or above it is a driver bug. */
const MAX_PLAUSIBLE_SIGNAL_DBM = -1;

/** Wi-Fi 7 peaks near 46 Gbit/s; the protocol caps bitrates at 1e6 Mbit/s, far above any real rate. */
const MAX_PLAUSIBLE_BITRATE_MBPS = 1e6;

const COUNTERS = ["rxBytes", "txBytes", "rxPackets", "txPackets"] as const;
type CounterField = (typeof COUNTERS)[number];

/** The order `suspect` lists fields in, so output is stable whatever order iw printed. */
const FIELD_ORDER: readonly (keyof Station)[] = [
  "signalDbm",
  "signalAvgDbm",
  "rxBytes",
  "txBytes",
  "rxPackets",
  "txPackets",
  "txRetries",
  "txFailed",
  "rxBitrateMbps",
  "txBitrateMbps",
  "connectedSeconds",
  "inactiveMs",
];

/** Every label toStation reads; the others are passed over while splitting the block. */
const READ_LABELS = new Set([
  "rx bytes",
  "tx bytes",
  "rx packets",
  "tx packets",
  "tx retries",
  "tx failed",
  "signal",
  "signal avg",
  "inactive time",
  "connected time",
  "rx bitrate",
  "tx bitrate",
  "authorized",
  "associated",
]);

/**
 * Same as `raw.trim() === ""`, without trimming (copying) each of the thousands of lines of a
 * large dump: nearly every line has a visible ASCII character first or right after its tab.
 */
function isBlank(raw: string): boolean {
  for (let i = 0; i < raw.length && i < 2; i++) {
    const c = raw.charCodeAt(i);
    if (c > 32 && c < 127) return false;
    if (c !== 9 && c !== 32) break;
  }
  return raw.trim() === "";
}

/** The labels read, each with the raw value of its first occurrence. */
type Labels = Map<string, { value: string; line: number; raw: string }>;

interface Block {
  line: number;
  header: string;
  mac: string | null;
  interface: string | null;
  labels: Labels;
}

export function parseIwStationDump(text: string): ParseResult<Station> {
  const records: Station[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const cutOff = endsMidLine(text);
  const seen = new Set<string>();
  let block: Block | null = null;

  const flush = () => {
    if (!block) return;
    if (!block.mac) {
      skipped.push(skippedLine(block.line, "station block without a valid MAC", block.header));
    } else if (!block.interface) {
      skipped.push(skippedLine(block.line, "station block without a valid interface name", block.header));
    } else if (seen.has(`${block.interface} ${block.mac}`)) {
      skipped.push(skippedLine(block.line, "station listed twice", block.header));
    } else {
      seen.add(`${block.interface} ${block.mac}`);
      records.push(toStation(block.mac, block.interface, block.labels, skipped));
    }
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    if (isBlank(raw)) continue;
    if (cutOff && i === lines.length - 1) {
      skipped.push(skippedLine(lineNo, "unterminated last line (output cut short)", raw));
      continue;
    }
    if (raw.startsWith("Station ")) {
      flush();
      const m = /^Station (\S+) \(on (.*)\)$/.exec(raw);
      const mac = m ? normalizeMac(m[1] as string) : null;
      const ifName = m?.[2] ?? "";
      block = {
        line: lineNo,
        header: raw,
        mac: mac && mac.length === 17 ? mac : null,
        interface: INTERFACE_NAME.test(ifName) ? ifName : null,
        labels: new Map(),
      };
      continue;
    }
    if (!block) {
      skipped.push(skippedLine(lineNo, "line outside a Station block", raw));
      continue;
    }
    if (raw.startsWith("\t\t")) continue;
    const colon = raw.indexOf(":");
    if (!raw.startsWith("\t") || colon < 0) {
      skipped.push(skippedLine(lineNo, "not a label: value line", raw));
      continue;
    }
    const label = raw.slice(1, colon);
    // Most of a block's ~40 lines are labels no field comes from: not worth keeping.
    if (READ_LABELS.has(label) && !block.labels.has(label)) {
      block.labels.set(label, { value: raw.slice(colon + 1).trim(), line: lineNo, raw });
    }
  }
  flush();
  return { records, skipped };
}

function toStation(mac: string, ifName: string, labels: Labels, skipped: SkippedLine[]): Station {
  const suspect = new Set<keyof Station>();
  /** Reads a label's value; a present but unreadable value is reported as a skipped line. */
  const read = <T>(label: string, parse: (value: string) => T | null): T | null => {
    const entry = labels.get(label);
    if (!entry) return null;
    const parsed = parse(entry.value);
    if (parsed === null) skipped.push(skippedLine(entry.line, `unreadable ${label}`, entry.raw));
    return parsed;
  };

  const counters = {} as Record<CounterField, number>;
  const counterLabels: Record<CounterField, string> = {
    rxBytes: "rx bytes",
    txBytes: "tx bytes",
    rxPackets: "rx packets",
    txPackets: "tx packets",
  };
  for (const field of COUNTERS) {
    const value = read(counterLabels[field], parseUnsigned);
    if (value === null) suspect.add(field);
    counters[field] = value ?? 0;
  }

  const txRetries = read("tx retries", parseUnsigned);
  const txFailed = read("tx failed", parseUnsigned);
  if (!suspect.has("txPackets")) {
    if (txRetries !== null && txRetries > counters.txPackets) suspect.add("txRetries");
    if (txFailed !== null && txFailed > counters.txPackets) suspect.add("txFailed");
  }

  const signal = read("signal", parseSignal);
  const signalAvg = read("signal avg", parseSignal);
  const signalDbm = plausibleSignal(signal, "signalDbm", suspect);
  const signalAvgDbm = plausibleSignal(signalAvg, "signalAvgDbm", suspect);

  let inactiveMs = read("inactive time", (v) => parseUnsignedWithUnit(v, " ms"));
  if (inactiveMs !== null && inactiveMs >= MAX_PLAUSIBLE_INACTIVE_MS) {
    suspect.add("inactiveMs");
    inactiveMs = null;
  }
  let connectedSeconds = read("connected time", (v) => parseUnsignedWithUnit(v, " seconds"));
  if (connectedSeconds !== null && connectedSeconds >= MAX_PLAUSIBLE_CONNECTED_SECONDS) {
    suspect.add("connectedSeconds");
    connectedSeconds = null;
  }

  const rx = read("rx bitrate", parseBitrate);
  const tx = read("tx bitrate", parseBitrate);
  const rxBitrateMbps = plausibleBitrate(rx, "rxBitrateMbps", suspect);
  const txBitrateMbps = plausibleBitrate(tx, "txBitrateMbps", suspect);

  return {
    mac,
    interface: ifName,
    signalDbm,
    signalAvgDbm,
    ...counters,
    txRetries,
    txFailed,
    rxBitrateMbps,
    txBitrateMbps,
    rxBitrate: rx?.description ?? null,
    txBitrate: tx?.description ?? null,
    connectedSeconds,
    inactiveMs,
    authorized: read("authorized", parseYesNo),
    associated: read("associated", parseYesNo),
    suspect: FIELD_ORDER.filter((field) => suspect.has(field)),
  };
}

interface Signal {
  dbm: number;
  chains: number[];
}

/** `-63 dBm` or `-63 [-71, -66] dBm` (iw prints `%d %sdBm` with the chain list and a space). */
function parseSignal(value: string): Signal | null {
  const m = /^(-?\d{1,3}) (?:\[(-?\d{1,3}(?:, -?\d{1,3})*)\] )?dBm$/.exec(value);
  if (!m) return null;
  const chains = m[2] ? m[2].split(", ").map(Number) : [];
  return { dbm: Number(m[1]), chains };
}

function plausibleSignal(
  signal: Signal | null,
  field: "signalDbm" | "signalAvgDbm",
  suspect: Set<keyof Station>,
): number | null {
  if (signal === null) return null;
  const placeholder = signal.chains.length > 0 && signal.chains.every((c) => c === PLACEHOLDER_CHAIN_DBM);
  if (signal.dbm > MAX_PLAUSIBLE_SIGNAL_DBM || signal.dbm < -150 || placeholder) {
    suspect.add(field);
    return null;
  }
  return signal.dbm;
}

interface Bitrate {
  mbps: number | null;
  /** What iw prints after the rate: MCS, width, guard interval, streams; "" for a legacy rate. */
  description: string;
}

/** `54.0 MBit/s`, `866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2`, `(unknown)`. */
function parseBitrate(value: string): Bitrate | null {
  const m = /^(?:(\d{1,9}\.\d) MBit\/s|\(unknown\))(?: (.{1,255}))?$/.exec(value);
  if (!m) return null;
  return { mbps: m[1] === undefined ? null : Number(m[1]), description: m[2] ?? "" };
}

function plausibleBitrate(
  bitrate: Bitrate | null,
  field: "rxBitrateMbps" | "txBitrateMbps",
  suspect: Set<keyof Station>,
): number | null {
  if (bitrate?.mbps == null) return null;
  if (bitrate.mbps > MAX_PLAUSIBLE_BITRATE_MBPS) {
    suspect.add(field);
    return null;
  }
  return bitrate.mbps;
}

function parseYesNo(value: string): boolean | null {
  if (value === "yes") return true;
  if (value === "no") return false;
  return null;
}
