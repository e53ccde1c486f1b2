/**
 * The device-type rules (deviceRules.json) as data: loaded once, validated at load with every
 * problem reported at once and named by rule id, and compiled (regular expressions built, lists
 * normalised) so that classifying a device does no parsing.
 */
import rulesFile from "./deviceRules.json" with { type: "json" };

export const DEVICE_TYPES = [
  "phone",
  "tablet",
  "computer",
  "tv",
  "streaming",
  "speaker",
  "camera",
  "printer",
  "console",
  "wearable",
  "iot",
  "network",
  "unknown",
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** The signals a rule can look at. */
export const SIGNAL_KINDS = [
  "hostname",
  "vendorClass",
  "vendor",
  "prl",
  "prlIncludes",
  "randomizedMac",
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** What is known about a device; every field optional. */
export interface DeviceSignals {
  mac?: string | null;
  /** DHCP hostname (option 12) or the lease's name. */
  hostname?: string | null;
  /** DHCP vendor class identifier (option 60). */
  vendorClass?: string | null;
  /** DHCP parameter request list (option 55) in the client's order, as numbers or `1,3,6`. */
  requestedOptions?: readonly number[] | string | null;
  /** Registered organisation of the MAC's OUI (looked up elsewhere). */
  vendor?: string | null;
}

export interface CompiledRule {
  id: string;
  deviceType: Exclude<DeviceType, "unknown">;
  weight: number;
  on: SignalKind[];
  hostname: RegExp | null;
  vendorClass: RegExp | null;
  vendor: RegExp | null;
  /** Accepted option-55 lists, normalised to `1,3,6` form. */
  prl: Set<string> | null;
  prlIncludes: number[] | null;
  randomizedMac: boolean | null;
  onlyTypes: DeviceType[] | null;
  test: { input: DeviceSignals; expect: DeviceType };
}

export interface DeviceRules {
  version: number;
  minConfidence: number;
  rules: CompiledRule[];
}

export class DeviceRulesError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid device rules:\n  ${problems.join("\n  ")}`);
    this.name = "DeviceRulesError";
  }
}

/** Option-55 list as the `1,3,6` string the rules use; null when it is not a list of option codes. */
export function normalizeRequestList(list: readonly number[] | string | null | undefined): string | null {
  if (list === null || list === undefined) return null;
  const codes = typeof list === "string" ? list.split(",").map((s) => s.trim()) : list.map(String);
  if (codes.length === 0 || !codes.every((c) => /^\d{1,3}$/.test(c) && Number(c) <= 255)) return null;
  return codes.map(Number).join(",");
}

const MATCH_KEYS = new Set<string>(SIGNAL_KINDS);
const INPUT_KEYS = new Set(["mac", "hostname", "vendorClass", "requestedOptions", "vendor", "prl"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isDeviceType(v: unknown): v is DeviceType {
  return typeof v === "string" && (DEVICE_TYPES as readonly string[]).includes(v);
}

/** Validates and compiles a rules document; throws DeviceRulesError listing every problem. */
export function compileDeviceRules(doc: unknown): DeviceRules {
  const problems: string[] = [];
  if (!isObject(doc)) throw new DeviceRulesError(["the rules file is not a JSON object"]);
  const { version, minConfidence, rules } = doc;
  if (!Number.isInteger(version) || (version as number) < 1)
    problems.push("version must be a positive integer");
  if (typeof minConfidence !== "number" || !(minConfidence > 0 && minConfidence < 1)) {
    problems.push("minConfidence must be a number between 0 and 1");
  }
  if (!Array.isArray(rules) || rules.length === 0) {
    problems.push("rules must be a non-empty array");
    throw new DeviceRulesError(problems);
  }
  const seen = new Set<string>();
  const compiled: CompiledRule[] = [];
  rules.forEach((raw: unknown, index) => {
    const id = isObject(raw) && typeof raw.id === "string" && raw.id !== "" ? raw.id : `#${index + 1}`;
    const bad = (message: string): void => {
      problems.push(`rule "${id}": ${message}`);
    };
    if (!isObject(raw)) {
      bad("is not an object");
      return;
    }
    const before = problems.length;
    if (id.startsWith("#")) bad("id must be a non-empty string");
    else if (seen.has(id)) bad("id is used by another rule");
    seen.add(id);
    for (const key of Object.keys(raw)) {
      if (!["id", "note", "match", "deviceType", "weight", "onlyTypes", "test"].includes(key))
        bad(`unknown field ${key}`);
    }
    const deviceType = raw.deviceType;
    if (!isDeviceType(deviceType) || deviceType === "unknown")
      bad(`deviceType must be one of ${DEVICE_TYPES.slice(0, -1).join(", ")}`);
    const weight = raw.weight;
    if (typeof weight !== "number" || !(weight > 0 && weight <= 1)) bad("weight must be a number in (0, 1]");
    let onlyTypes: DeviceType[] | null = null;
    if (raw.onlyTypes !== undefined) {
      if (!Array.isArray(raw.onlyTypes) || raw.onlyTypes.length === 0 || !raw.onlyTypes.every(isDeviceType)) {
        bad("onlyTypes must be a non-empty list of device types");
      } else onlyTypes = raw.onlyTypes;
    }
    const match = raw.match;
    const rule: Omit<CompiledRule, "test"> & { test: CompiledRule["test"] | null } = {
      id,
      deviceType: deviceType as CompiledRule["deviceType"],
      weight: weight as number,
      on: [],
      hostname: null,
      vendorClass: null,
      vendor: null,
      prl: null,
      prlIncludes: null,
      randomizedMac: null,
      onlyTypes,
      test: null,
    };
    if (!isObject(match) || Object.keys(match).length === 0) {
      bad("match must be an object with at least one condition");
    } else {
      for (const [key, value] of Object.entries(match)) {
        if (!MATCH_KEYS.has(key)) {
          bad(`match.${key} is not a signal (${SIGNAL_KINDS.join(", ")})`);
          continue;
        }
        rule.on.push(key as SignalKind);
        if (key === "hostname" || key === "vendorClass" || key === "vendor") {
          if (typeof value !== "string" || value === "") {
            bad(`match.${key} must be a regular expression string`);
            continue;
          }
          try {
            rule[key] = new RegExp(value, "i");
          } catch (e) {
            bad(`match.${key} is not a valid regular expression: ${(e as Error).message}`);
          }
        } else if (key === "prl") {
          const lists = typeof value === "string" ? [value] : value;
          const normalised = Array.isArray(lists)
            ? lists.map((l) => normalizeRequestList(l as string))
            : [null];
          if (normalised.length === 0 || normalised.some((l) => l === null)) {
            bad('match.prl must be an option list like "1,3,6" or a list of them');
          } else rule.prl = new Set(normalised as string[]);
        } else if (key === "prlIncludes") {
          if (
            !Array.isArray(value) ||
            value.length === 0 ||
            !value.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)
          ) {
            bad("match.prlIncludes must be a non-empty list of option codes");
          } else rule.prlIncludes = value as number[];
        } else if (key === "randomizedMac") {
          if (typeof value !== "boolean") bad("match.randomizedMac must be true or false");
          else rule.randomizedMac = value;
        }
      }
    }
    const test = raw.test;
    if (!isObject(test) || !isObject(test.input) || !isDeviceType(test.expect)) {
      bad("test must be { input: {...}, expect: <device type> }");
    } else {
      const unknownInput = Object.keys(test.input).filter((k) => !INPUT_KEYS.has(k));
      if (unknownInput.length > 0) bad(`test.input has unknown fields: ${unknownInput.join(", ")}`);
      const input = { ...test.input } as DeviceSignals & { prl?: string };
      // `prl` is accepted in tests as the short name of requestedOptions.
      if (input.prl !== undefined) {
        input.requestedOptions = input.prl;
        delete input.prl;
      }
      rule.test = { input, expect: test.expect };
    }
    if (problems.length === before) compiled.push(rule as CompiledRule);
  });
  if (problems.length > 0) throw new DeviceRulesError(problems);
  return { version: version as number, minConfidence: minConfidence as number, rules: compiled };
}

let defaults: DeviceRules | null = null;

/** The rules shipped with the agent, compiled on first use. */
export function defaultDeviceRules(): DeviceRules {
  defaults ??= compileDeviceRules(rulesFile);
  return defaults;
}
