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

import { rememberByText } from "../../../common/rememberByText.js";
import { normalizeMac, type Station } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";
import { endsMidLine, INTERFACE_NAME, parseUnsigned, parseUnsignedWithUnit } from "./iwValues.js";

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

type CounterField = "rxBytes" | "txBytes" | "rxPackets" | "txPackets";

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

/** Every label toStation reads, by index; the others are passed over while splitting the block. */
const READ_LABELS = [
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
] as const;
const RX_BYTES = 0;
const TX_BYTES = 1;
const RX_PACKETS = 2;
const TX_PACKETS = 3;
const TX_RETRIES = 4;
const TX_FAILED = 5;
const SIGNAL = 6;
const SIGNAL_AVG = 7;
const INACTIVE_TIME = 8;
const CONNECTED_TIME = 9;
const RX_BITRATE = 10;
const TX_BITRATE = 11;
const AUTHORIZED = 12;
const ASSOCIATED = 13;

/** The read labels' indexes by name. */
const LABEL_INDEX = new Map<string, number>(READ_LABELS.map((label, index) => [label, index]));

/**
 * Same as `raw.trim() === ""`, without copying the line out of the text: nearly every line has
 * a visible ASCII character first or right after its tab.
 */
function isBlankAt(text: string, start: number, end: number): boolean {
  for (let i = start; i < end && i < start + 2; i++) {
    const c = text.charCodeAt(i);
    if (c > 32 && c < 127) return false;
    if (c !== 9 && c !== 32) break;
  }
  return text.slice(start, end).trim() === "";
}

/**
 * One station: its header and, per read label, the value of its first occurrence (undefined
 * when absent) and where that line is, for a skipped-line report. Line numbers are worked out
 * only for a report (see LineNumbers).
 */
interface Block {
  /** Offset of the header line in the text. */
  start: number;
  header: string;
  mac: string | null;
  interface: string | null;
  values: (string | undefined)[];
  /** Per label index: start and end offset of its line. */
  where: number[];
}

/**
 * Line numbers from offsets, counted on demand: most dumps have nothing to report. Blocks are
 * asked for in order, so counting goes forward once through the text; a label's line is counted
 * from its block's header.
 */
class LineNumbers {
  readonly #text: string;
  #offset = 0;
  #line = 1;

  constructor(text: string) {
    this.#text = text;
  }

  /** The line of a block's header; blocks must be asked for in order. */
  ofBlock(block: Block): number {
    this.#line += newlinesBetween(this.#text, this.#offset, block.start);
    this.#offset = block.start;
    return this.#line;
  }

  /** The line of an offset inside a block. */
  inBlock(block: Block, offset: number): number {
    return this.ofBlock(block) + newlinesBetween(this.#text, block.start, offset);
  }
}

function newlinesBetween(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/**
 * A block's header line, `Station <mac> (on <if>)`: its MAC in wire form and its interface, each
 * null when not valid. Also how listIwStations reads headers, so both name the same stations.
 */
export function readStationHeader(header: string): { mac: string | null; interface: string | null } {
  const m = /^Station (\S+) \(on (.*)\)$/.exec(header);
  const mac = m ? normalizeMac(m[1] as string) : null;
  const ifName = m?.[2] ?? "";
  return {
    mac: mac && mac.length === 17 ? mac : null,
    interface: INTERFACE_NAME.test(ifName) ? ifName : null,
  };
}

function newBlock(text: string, start: number, end: number): Block {
  const header = text.slice(start, end);
  return {
    start,
    header,
    ...readStationHeader(header),
    values: new Array(READ_LABELS.length),
    where: new Array(READ_LABELS.length * 2),
  };
}

/** Turns the blocks into stations, in order; invalid and repeated blocks become skipped lines. */
class Stations {
  readonly records: Station[] = [];
  readonly skipped: SkippedLine[] = [];
  readonly #text: string;
  readonly #lines: LineNumbers;
  readonly #seen = new Set<string>();

  constructor(text: string) {
    this.#text = text;
    this.#lines = new LineNumbers(text);
  }

  add(block: Block): void {
    const skip = (reason: string) =>
      this.skipped.push(skippedLine(this.#lines.ofBlock(block), reason, block.header));
    if (!block.mac) skip("station block without a valid MAC");
    else if (!block.interface) skip("station block without a valid interface name");
    else if (this.#seen.has(`${block.interface} ${block.mac}`)) skip("station listed twice");
    else {
      this.#seen.add(`${block.interface} ${block.mac}`);
      this.records.push(toStation(this.#text, block, this.#lines, this.skipped));
    }
  }
}

export function parseIwStationDump(text: string): ParseResult<Station> {
  const stations = new Stations(text);
  readLines(text, stations);
  return { records: stations.records, skipped: stations.skipped };
}

/**
 * One pass, line by line through indexOf: a line is copied out only when it is reported (a
 * header, a skipped line) and a value only when its label is read. Lines split as splitLines
 * does: on LF, a CR before it dropped, no empty line after a final newline.
 */
function readLines(text: string, stations: Stations): void {
  const skipped = stations.skipped;
  const cutOff = endsMidLine(text);
  const crlf = text.includes("\r");
  let block: Block | null = null;
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    lineNo++;
    const newline = text.indexOf("\n", start);
    const last = newline < 0;
    let end = last ? text.length : newline;
    const next = end + 1;
    if (crlf && !last && end > start && text.charCodeAt(end - 1) === 13) end--;
    // Without V8's JIT every call and comparison here counts, thousands of lines a cycle: a
    // station's own line, a tab and a visible character, is told apart from the first two.
    const first = text.charCodeAt(start);
    const second = text.charCodeAt(start + 1);
    const labelLine = first === 9 && second > 32 && second < 127 && end > start + 1;
    if (!labelLine && isBlankAt(text, start, end)) {
      start = next;
      continue;
    }
    if (cutOff && last) {
      skipped.push(skippedLine(lineNo, "unterminated last line (output cut short)", text.slice(start, end)));
      break;
    }
    if (!labelLine && text.startsWith("Station ", start)) {
      if (block) stations.add(block);
      block = newBlock(text, start, end);
    } else if (!block) {
      skipped.push(skippedLine(lineNo, "line outside a Station block", text.slice(start, end)));
    } else if (first !== 9 || second !== 9) {
      const colon = text.indexOf(":", start);
      if (first !== 9 || colon < 0 || colon >= end) {
        skipped.push(skippedLine(lineNo, "not a label: value line", text.slice(start, end)));
      } else {
        // Most of a block's lines are labels no field comes from: their values are not copied.
        const index = LABEL_INDEX.get(text.slice(start + 1, colon)) ?? -1;
        if (index >= 0 && block.values[index] === undefined) {
          block.values[index] = text.slice(colon + 1, end).trim();
          block.where[index * 2] = start;
          block.where[index * 2 + 1] = end;
        }
      }
    }
    start = next;
  }
  if (block) stations.add(block);
}

/** Fields found implausible, as bits in FIELD_ORDER's order. */
const SUSPECT_BIT = new Map(FIELD_ORDER.map((field, i) => [field, 1 << i]));

function bit(field: keyof Station): number {
  return SUSPECT_BIT.get(field) as number;
}

function suspectFields(bits: number): (keyof Station)[] {
  const fields: (keyof Station)[] = [];
  if (bits === 0) return fields;
  FIELD_ORDER.forEach((field, i) => {
    if (bits & (1 << i)) fields.push(field);
  });
  return fields;
}

/** Where a station's values are read from, and where an unreadable one is reported. */
interface Reading {
  text: string;
  block: Block;
  lines: LineNumbers;
  skipped: SkippedLine[];
}

/** A read label's value, parsed; a present but unreadable value is reported as a skipped line. */
function read<T>(r: Reading, index: number, parse: (value: string) => T | null): T | null {
  const value = r.block.values[index];
  if (value === undefined) return null;
  const parsed = parse(value);
  if (parsed === null) {
    const start = r.block.where[index * 2] as number;
    const raw = r.text.slice(start, r.block.where[index * 2 + 1]);
    r.skipped.push(skippedLine(r.lines.inBlock(r.block, start), `unreadable ${READ_LABELS[index]}`, raw));
  }
  return parsed;
}

const parseMs = (v: string) => parseUnsignedWithUnit(v, " ms");
const parseSeconds = (v: string) => parseUnsignedWithUnit(v, " seconds");

function toStation(text: string, block: Block, lines: LineNumbers, skipped: SkippedLine[]): Station {
  const r: Reading = { text, block, lines, skipped };
  let suspect = 0;
  const counter = (index: number, field: CounterField): number => {
    const value = read(r, index, parseUnsigned);
    if (value === null) suspect |= bit(field);
    return value ?? 0;
  };
  const rxBytes = counter(RX_BYTES, "rxBytes");
  const txBytes = counter(TX_BYTES, "txBytes");
  const rxPackets = counter(RX_PACKETS, "rxPackets");
  const txPackets = counter(TX_PACKETS, "txPackets");

  const txRetries = read(r, TX_RETRIES, parseUnsigned);
  const txFailed = read(r, TX_FAILED, parseUnsigned);
  if ((suspect & bit("txPackets")) === 0) {
    if (txRetries !== null && txRetries > txPackets) suspect |= bit("txRetries");
    if (txFailed !== null && txFailed > txPackets) suspect |= bit("txFailed");
  }

  const signal = read(r, SIGNAL, parseSignal);
  const signalAvg = read(r, SIGNAL_AVG, parseSignal);
  const signalDbm = plausibleSignal(signal);
  if (signal !== null && signalDbm === null) suspect |= bit("signalDbm");
  const signalAvgDbm = plausibleSignal(signalAvg);
  if (signalAvg !== null && signalAvgDbm === null) suspect |= bit("signalAvgDbm");

  let inactiveMs = read(r, INACTIVE_TIME, parseMs);
  if (inactiveMs !== null && inactiveMs >= MAX_PLAUSIBLE_INACTIVE_MS) {
    suspect |= bit("inactiveMs");
    inactiveMs = null;
  }
  let connectedSeconds = read(r, CONNECTED_TIME, parseSeconds);
  if (connectedSeconds !== null && connectedSeconds >= MAX_PLAUSIBLE_CONNECTED_SECONDS) {
    suspect |= bit("connectedSeconds");
    connectedSeconds = null;
  }

  const rx = read(r, RX_BITRATE, parseBitrate);
  const tx = read(r, TX_BITRATE, parseBitrate);
  const rxBitrateMbps = plausibleBitrate(rx);
  if (rx?.mbps != null && rxBitrateMbps === null) suspect |= bit("rxBitrateMbps");
  const txBitrateMbps = plausibleBitrate(tx);
  if (tx?.mbps != null && txBitrateMbps === null) suspect |= bit("txBitrateMbps");

  return {
    mac: block.mac as string,
    interface: block.interface as string,
    signalDbm,
    signalAvgDbm,
    rxBytes,
    txBytes,
    rxPackets,
    txPackets,
    txRetries,
    txFailed,
    rxBitrateMbps,
    txBitrateMbps,
    rxBitrate: rx?.description ?? null,
    txBitrate: tx?.description ?? null,
    connectedSeconds,
    inactiveMs,
    authorized: read(r, AUTHORIZED, parseYesNo),
    associated: read(r, ASSOCIATED, parseYesNo),
    suspect: suspectFields(suspect),
  };
}

/** The reading (dBm) and whether every chain reads the -95 placeholder (false without chains). */
interface Signal {
  dbm: number;
  placeholderChains: boolean;
}

const SIGNAL_VALUE = /^(-?\d{1,3}) (?:\[(-?\d{1,3}(?:, -?\d{1,3})*)\] )?dBm$/;
const PLACEHOLDER_CHAINS = new RegExp(`^${PLACEHOLDER_CHAIN_DBM}(?:, ${PLACEHOLDER_CHAIN_DBM})*$`);

/**
 * Signal and bitrate texts repeat cycle after cycle: their readings are remembered per text
 * (common/rememberByText.ts), up to more than a large gateway's distinct texts. The readings are
 * never modified, so they can be shared.
 */
const REMEMBERED_VALUES = 2048;

/** `-63 dBm` or `-63 [-71, -66] dBm` (iw prints `%d %sdBm` with the chain list and a space). */
const parseSignal = rememberByText(readSignal, REMEMBERED_VALUES);

function readSignal(value: string): Signal | null {
  const m = SIGNAL_VALUE.exec(value);
  if (!m) return null;
  return { dbm: Number(m[1]), placeholderChains: m[2] !== undefined && PLACEHOLDER_CHAINS.test(m[2]) };
}

/** The signal, or null when it is implausible (the caller names the field in `suspect`). */
function plausibleSignal(signal: Signal | null): number | null {
  if (signal === null) return null;
  if (signal.dbm > MAX_PLAUSIBLE_SIGNAL_DBM || signal.dbm < -150 || signal.placeholderChains) return null;
  return signal.dbm;
}

interface Bitrate {
  mbps: number | null;
  /** What iw prints after the rate: MCS, width, guard interval, streams; "" for a legacy rate. */
  description: string;
}

const BITRATE_VALUE = /^(?:(\d{1,9}\.\d) MBit\/s|\(unknown\))(?: (.{1,255}))?$/;

/** `54.0 MBit/s`, `866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2`, `(unknown)`. */
const parseBitrate = rememberByText(readBitrate, REMEMBERED_VALUES);

function readBitrate(value: string): Bitrate | null {
  const m = BITRATE_VALUE.exec(value);
  if (!m) return null;
  return { mbps: m[1] === undefined ? null : Number(m[1]), description: m[2] ?? "" };
}

/** The rate, or null when absent, unknown or implausible (the caller names the last in `suspect`). */
function plausibleBitrate(bitrate: Bitrate | null): number | null {
  if (bitrate?.mbps == null) return null;
  return bitrate.mbps > MAX_PLAUSIBLE_BITRATE_MBPS ? null : bitrate.mbps;
}

function parseYesNo(value: string): boolean | null {
  if (value === "yes") return true;
  if (value === "no") return false;
  return null;
}
