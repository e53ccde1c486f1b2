/**
 * Per-second rates of every InterfaceCounters field between two readings, matched by interface
 * name. Each counter is judged on its own (a 32-bit driver may wrap rx bytes long before rx
 * errors). An interface seen only in the current reading has no rates yet; one seen only in the
 * previous reading has gone (a PPP or Wi-Fi interface torn down) and is listed, not rated. An
 * interface re-created in between shows smaller counters, which counterRate treats as a reset.
 */
import type { InterfaceCounters } from "../../protocol/index.js";
import { counterRate } from "./counterRate.js";

export const RATE_FIELDS = [
  "rxBytes",
  "txBytes",
  "rxPackets",
  "txPackets",
  "rxErrors",
  "txErrors",
  "rxDropped",
  "txDropped",
] as const satisfies readonly (keyof InterfaceCounters)[];

export type RateField = (typeof RATE_FIELDS)[number];

/** Units per second for each counter; null where no rate could be computed for this interval. */
export type InterfaceRates = { name: string } & Record<RateField, number | null>;

export interface InterfaceRatesResult {
  /** One entry per interface in the current reading, in its order. */
  rates: InterfaceRates[];
  /** Interfaces only in the current reading (their rates are all null). */
  appeared: string[];
  /** Interfaces only in the previous reading. */
  vanished: string[];
}

export function interfaceRates(
  previous: readonly InterfaceCounters[],
  current: readonly InterfaceCounters[],
  elapsedMs: number,
): InterfaceRatesResult {
  const before = new Map<string, InterfaceCounters>();
  // A duplicate name within one reading keeps its first row, as it does in `current` below.
  for (const p of previous) if (!before.has(p.name)) before.set(p.name, p);
  const seen = new Set<string>();
  const rates: InterfaceRates[] = [];
  const appeared: string[] = [];
  for (const c of current) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const p = before.get(c.name);
    if (!p) appeared.push(c.name);
    const entry = { name: c.name } as InterfaceRates;
    for (const field of RATE_FIELDS) entry[field] = p ? counterRate(p[field], c[field], elapsedMs) : null;
    rates.push(entry);
  }
  const vanished = [...before.keys()].filter((name) => !seen.has(name));
  return { rates, appeared, vanished };
}
