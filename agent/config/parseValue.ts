/**
 * Strict conversion of one setting's value, from a flag (always a string) or from the JSON
 * config file (a JSON value of the right type: `"30"` is not a number there, `"yes"` is not a
 * boolean). Each failure is a sentence saying what was expected, to be prefixed with where the
 * value came from.
 */
import type { ValueKind } from "./configKeys.js";

export type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

function describe(value: unknown): string {
  return `${JSON.stringify(value)?.slice(0, 60)}${typeof value === "string" ? "" : ` (${Array.isArray(value) ? "an array" : typeof value})`}`;
}

function range(kind: { min: number; max: number; unit: string }): string {
  return `from ${kind.min} to ${kind.max}${kind.unit ? ` ${kind.unit}` : ""}`;
}

function parseNumber(value: unknown, fromFlag: boolean, kind: Extract<ValueKind, { min: number }>): Parsed {
  const whole = kind.type === "integer";
  const expected = `expected ${whole ? "a whole number" : "a number"} ${range({ unit: "", ...kind })}`;
  let n: number;
  if (fromFlag && typeof value === "string") {
    const pattern = whole ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)$/;
    if (!pattern.test(value.trim())) return { ok: false, problem: `${expected}, got ${describe(value)}` };
    n = Number(value);
  } else if (typeof value === "number") {
    n = value;
  } else {
    const quoted = typeof value === "string" && Number.isFinite(Number(value)) && value.trim() !== "";
    return {
      ok: false,
      problem: `${expected}, got ${describe(value)}${quoted ? "; write it without quotes" : ""}`,
    };
  }
  if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < kind.min || n > kind.max) {
    return { ok: false, problem: `${expected}, got ${describe(value)}` };
  }
  return { ok: true, value: n };
}

function parseBytes(value: unknown, kind: Extract<ValueKind, { type: "bytes" }>): Parsed {
  const expected = `expected a size such as 8MiB, 512KiB or 1048576 (bytes), from ${kind.min} to ${kind.max} bytes`;
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string") {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
    const unit = UNITS[m?.[2]?.toLowerCase() ?? "?"];
    if (!m || unit === undefined) return { ok: false, problem: `${expected}, got ${describe(value)}` };
    n = Math.round(Number(m[1]) * unit);
  } else return { ok: false, problem: `${expected}, got ${describe(value)}` };
  if (!Number.isSafeInteger(n) || n < kind.min || n > kind.max)
    return { ok: false, problem: `${expected}, got ${describe(value)}` };
  return { ok: true, value: n };
}

export function parseValue(kind: ValueKind, value: unknown, fromFlag: boolean): Parsed {
  switch (kind.type) {
    case "string":
      if (typeof value === "string" && value.trim() !== "") return { ok: true, value };
      return { ok: false, problem: `expected a non-empty string, got ${describe(value)}` };
    case "number":
    case "integer":
      return parseNumber(value, fromFlag, kind);
    case "bytes":
      return parseBytes(value, kind);
    case "boolean":
      if (typeof value === "boolean") return { ok: true, value };
      return { ok: false, problem: `expected true or false, got ${describe(value)}` };
    case "enum":
      if (typeof value === "string" && kind.values.includes(value)) return { ok: true, value };
      return { ok: false, problem: `expected one of ${kind.values.join(", ")}, got ${describe(value)}` };
    case "list":
      if (Array.isArray(value) && value.every((v) => typeof v === "string" && v !== ""))
        return { ok: true, value };
      return { ok: false, problem: `expected an array of non-empty strings, got ${describe(value)}` };
    case "sources":
      if (typeof value === "string" && value.trim() !== "") return { ok: true, value };
      if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) {
        return { ok: true, value: value.join(",") };
      }
      return {
        ok: false,
        problem: `expected "auto", a comma-separated list or an array of source names, got ${describe(value)}`,
      };
  }
}
