/**
 * What a device is, from what the network sees of it: its DHCP fingerprint (option 55), vendor
 * class (option 60), hostname, OUI vendor and whether its MAC is randomised. The knowledge is in
 * deviceRules.json; this is the small engine that applies it.
 *
 * Each matching rule is evidence of strength `weight` for its type; independent pieces of
 * evidence for one type combine as 1 - Π(1 - w). The strongest type wins, and its confidence is
 * its strength scaled by its share against the runner-up (s² / (s + s₂)): one strong signal gives
 * about its own weight, two conflicting ones of equal strength give half of it, an exact tie gives
 * nothing. Below the rules' minConfidence the answer is "unknown": a guess would be worse than
 * saying we do not know. A rule's onlyTypes (the randomised-MAC rule) removes every other type.
 */
import { isLocallyAdministered, normalizeMac } from "../../protocol/index.js";
import {
  type CompiledRule,
  type DeviceRules,
  type DeviceSignals,
  type DeviceType,
  defaultDeviceRules,
  normalizeRequestList,
  type SignalKind,
} from "./deviceRules.js";

export interface MatchedSignal {
  rule: string;
  /** Which of the device's signals the rule looked at. */
  on: SignalKind[];
  deviceType: DeviceType;
  weight: number;
}

export interface DeviceClassification {
  deviceType: DeviceType;
  /** 0-1, two decimals; 0 for unknown. */
  confidence: number;
  /** The matched rules that voted for the answer, strongest first (for unknown: every match). */
  signals: MatchedSignal[];
  /** Matched rules that voted for another type. */
  conflicting: MatchedSignal[];
  rulesVersion: number;
}

interface Prepared {
  hostname: string | null;
  vendorClass: string | null;
  vendor: string | null;
  prl: string | null;
  prlCodes: Set<number> | null;
  randomizedMac: boolean | null;
}

function prepare(signals: DeviceSignals): Prepared {
  const mac = signals.mac ? normalizeMac(signals.mac) : null;
  const prl = normalizeRequestList(signals.requestedOptions);
  const text = (v: string | null | undefined): string | null => (v && v.trim() !== "" ? v.trim() : null);
  return {
    hostname: text(signals.hostname),
    vendorClass: text(signals.vendorClass),
    vendor: text(signals.vendor),
    prl,
    prlCodes: prl ? new Set(prl.split(",").map(Number)) : null,
    randomizedMac: mac ? isLocallyAdministered(mac) : null,
  };
}

export function ruleMatches(rule: CompiledRule, d: Prepared): boolean {
  if (rule.hostname && !(d.hostname !== null && rule.hostname.test(d.hostname))) return false;
  if (rule.vendorClass && !(d.vendorClass !== null && rule.vendorClass.test(d.vendorClass))) return false;
  if (rule.vendor && !(d.vendor !== null && rule.vendor.test(d.vendor))) return false;
  if (rule.prl && !(d.prl !== null && rule.prl.has(d.prl))) return false;
  if (rule.prlIncludes && !(d.prlCodes !== null && rule.prlIncludes.every((c) => d.prlCodes?.has(c))))
    return false;
  if (rule.randomizedMac !== null && d.randomizedMac !== rule.randomizedMac) return false;
  return true;
}

/** The rules whose conditions all hold for these signals, in file order. */
export function matchingRules(
  signals: DeviceSignals,
  rules: DeviceRules = defaultDeviceRules(),
): CompiledRule[] {
  const d = prepare(signals);
  return rules.rules.filter((r) => ruleMatches(r, d));
}

const signalOf = (r: CompiledRule): MatchedSignal => ({
  rule: r.id,
  on: r.on,
  deviceType: r.deviceType,
  weight: r.weight,
});

export function classifyDevice(
  signals: DeviceSignals,
  rules: DeviceRules = defaultDeviceRules(),
): DeviceClassification {
  const matched = matchingRules(signals, rules);
  let allowed: Set<DeviceType> | null = null;
  for (const r of matched) {
    if (!r.onlyTypes) continue;
    const only: Set<DeviceType> = new Set(r.onlyTypes);
    allowed = allowed ? new Set([...allowed].filter((t: DeviceType) => only.has(t))) : only;
  }
  const miss = new Map<DeviceType, number>();
  for (const r of matched) {
    if (allowed && !allowed.has(r.deviceType)) continue;
    miss.set(r.deviceType, (miss.get(r.deviceType) ?? 1) * (1 - r.weight));
  }
  const ranked = [...miss]
    .map(([type, m]) => ({ type, strength: 1 - m }))
    .sort((a, b) => b.strength - a.strength);
  const best = ranked[0];
  const second = ranked[1]?.strength ?? 0;
  const confidence =
    best && best.strength > second ? (best.strength * best.strength) / (best.strength + second) : 0;
  const bySignal = (a: MatchedSignal, b: MatchedSignal): number => b.weight - a.weight;
  if (!best || confidence < rules.minConfidence) {
    return {
      deviceType: "unknown",
      confidence: 0,
      signals: matched.map(signalOf).sort(bySignal),
      conflicting: [],
      rulesVersion: rules.version,
    };
  }
  return {
    deviceType: best.type,
    confidence: Math.round(confidence * 100) / 100,
    signals: matched
      .filter((r) => r.deviceType === best.type)
      .map(signalOf)
      .sort(bySignal),
    conflicting: matched
      .filter((r) => r.deviceType !== best.type)
      .map(signalOf)
      .sort(bySignal),
    rulesVersion: rules.version,
  };
}
