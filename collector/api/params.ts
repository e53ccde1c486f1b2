/**
 * Strict parsing of the API's path and query parameters (and the CLI's, which use the same
 * functions): a bad value is a 400 with a message that says what was expected.
 */
import { isValidGatewayId } from "../../protocol/index.js";
import { normalizeMac } from "../../protocol/mac.js";
import { MAX_PAGE } from "../store/supportQueries.js";
import { ApiError } from "./apiError.js";

export function gatewayParam(value: string): string {
  if (!isValidGatewayId(value))
    throw new ApiError(
      400,
      `gateway: ${JSON.stringify(value.slice(0, 80))} is not a gateway id (1-64 of A-Z a-z 0-9 . _ : -)`,
    );
  return value;
}

export function macParam(value: string): string {
  const mac = normalizeMac(value);
  if (mac === null || mac.split(":").length !== 6)
    throw new ApiError(
      400,
      `mac: ${JSON.stringify(value.slice(0, 80))} is not a MAC address (like 3c:a9:f4:12:34:56)`,
    );
  return mac;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `since`: an ISO-8601 time, or a duration back from now such as `90m`, `1h`, `2d`. */
export function sinceParam(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const duration = /^(\d{1,9})([smhd])$/.exec(value);
  if (duration) return now - Number(duration[1]) * (UNITS[duration[2] as string] as number);
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  throw new ApiError(
    400,
    `since: expected an ISO-8601 time (2025-01-15T12:00:00Z) or a duration like 1h, got ${JSON.stringify(value.slice(0, 80))}`,
  );
}

export function limitParam(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > MAX_PAGE)
    throw new ApiError(
      400,
      `limit: expected a whole number from 1 to ${MAX_PAGE}, got ${JSON.stringify(value.slice(0, 80))}`,
    );
  return Number(value);
}

/** `after` for keyset pages: the last key of the previous page (a gateway id or a MAC). */
export function afterParam(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (value.length > 64) throw new ApiError(400, "after: at most 64 characters");
  return value;
}
