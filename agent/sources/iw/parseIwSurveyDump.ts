/**
 * `iw dev IF survey dump`: one block per channel the driver keeps statistics for, starting
 * `Survey data from <if>`, then `\t<label>:\t\t<value>` lines (the number of tabs pads the
 * labels into a column and differs per label). `frequency:` carries a ` [in use]` suffix on the
 * channel the radio is on. Many blocks hold only a frequency (channels never visited), some
 * drivers print no noise, and the times are cumulative since the driver started (or since its
 * last channel change on some chips): consumers use differences between readings.
 * A noise reading of 0 dBm or above is a driver saying "not measured" and is stored as null.
 * Labels are matched by name; lines iw added later (`extension channel busy time`,
 * `channel BSS receive time`) are ignored.
 */
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";
import { endsMidLine, parseUnsignedWithUnit } from "./iwValues.js";

/** One channel's survey as the driver reports it. */
export interface SurveyRecord {
  interface: string;
  frequencyMhz: number | null;
  inUse: boolean;
  noiseDbm: number | null;
  /** Cumulative milliseconds the radio spent on this channel, and how much of it was busy, receiving, transmitting. */
  channelActiveMs: number | null;
  channelBusyMs: number | null;
  channelRxMs: number | null;
  channelTxMs: number | null;
}

/** What the in-use channel's survey adds to a Radio record. */
export type ChannelSurvey = Pick<
  SurveyRecord,
  "noiseDbm" | "channelActiveMs" | "channelBusyMs" | "channelRxMs" | "channelTxMs"
>;

const TIME_FIELDS: Record<string, "channelActiveMs" | "channelBusyMs" | "channelRxMs" | "channelTxMs"> = {
  "channel active time": "channelActiveMs",
  "channel busy time": "channelBusyMs",
  "channel receive time": "channelRxMs",
  "channel transmit time": "channelTxMs",
};

export function parseIwSurveyDump(text: string): ParseResult<SurveyRecord> {
  const records: SurveyRecord[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const cutOff = endsMidLine(text);
  let current: SurveyRecord | null = null;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    if (raw.trim() === "") continue;
    if (cutOff && i === lines.length - 1) {
      skipped.push(skippedLine(lineNo, "unterminated last line (output cut short)", raw));
      continue;
    }
    if (raw.startsWith("Survey data from ")) {
      current = emptySurvey(raw.slice("Survey data from ".length));
      records.push(current);
      continue;
    }
    if (!current) {
      skipped.push(skippedLine(lineNo, "line outside a Survey data block", raw));
      continue;
    }
    const colon = raw.indexOf(":");
    if (!raw.startsWith("\t") || colon < 0) {
      skipped.push(skippedLine(lineNo, "not a label: value line", raw));
      continue;
    }
    const label = raw.slice(1, colon);
    const value = raw.slice(colon + 1).trim();
    if (label === "frequency") {
      const m = /^(\d{1,6}) MHz( \[in use\])?$/.exec(value);
      if (!m) {
        skipped.push(skippedLine(lineNo, "unreadable frequency", raw));
        continue;
      }
      current.frequencyMhz = Number(m[1]);
      current.inUse = m[2] !== undefined;
    } else if (label === "noise") {
      const m = /^(-?\d{1,3}) dBm$/.exec(value);
      if (!m) {
        skipped.push(skippedLine(lineNo, "unreadable noise", raw));
        continue;
      }
      const noise = Number(m[1]);
      current.noiseDbm = noise < 0 && noise >= -150 ? noise : null;
    } else {
      const field = TIME_FIELDS[label];
      if (!field) continue;
      const ms = parseUnsignedWithUnit(value, " ms");
      if (ms === null) {
        skipped.push(skippedLine(lineNo, `unreadable ${label}`, raw));
        continue;
      }
      current[field] = ms;
    }
  }
  return { records, skipped };
}

function emptySurvey(ifName: string): SurveyRecord {
  return {
    interface: ifName,
    frequencyMhz: null,
    inUse: false,
    noiseDbm: null,
    channelActiveMs: null,
    channelBusyMs: null,
    channelRxMs: null,
    channelTxMs: null,
  };
}

/**
 * The survey of the channel in use: the one on `frequencyMhz` when given (an MLD radio has
 * several channels in use), else the first marked in use. Null when no channel is in use
 * (the interface is down or the driver does not mark it).
 */
export function surveyInUse(records: readonly SurveyRecord[], frequencyMhz?: number): ChannelSurvey | null {
  const found = records.find(
    (r) => r.inUse && (frequencyMhz === undefined || r.frequencyMhz === frequencyMhz),
  );
  if (!found) return null;
  return {
    noiseDbm: found.noiseDbm,
    channelActiveMs: found.channelActiveMs,
    channelBusyMs: found.channelBusyMs,
    channelRxMs: found.channelRxMs,
    channelTxMs: found.channelTxMs,
  };
}
