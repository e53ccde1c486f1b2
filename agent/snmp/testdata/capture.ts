/**
 * Loads a recorded walk (testdata/*.json) back into the varbind maps net-snmp would have
 * produced: `{"hex": "..."}` values become Buffers again, everything else is as recorded.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Varbinds } from "../varbinds.js";

interface RecordedVarbind {
  oid: string;
  type: string;
  value: unknown;
}

export type Capture = Record<string, Map<string, unknown>>;

export function loadCapture(file: string): Capture {
  const json = JSON.parse(readFileSync(join(import.meta.dirname, file), "utf8")) as Record<string, unknown>;
  const capture: Capture = {};
  for (const [table, rows] of Object.entries(json)) {
    if (!Array.isArray(rows)) continue;
    capture[table] = new Map(
      (rows as RecordedVarbind[]).map((vb) => [vb.oid, revive(vb.value)] as [string, unknown]),
    );
  }
  return capture;
}

function revive(value: unknown): unknown {
  if (value !== null && typeof value === "object" && "hex" in value) {
    return Buffer.from(String((value as { hex: unknown }).hex), "hex");
  }
  return value;
}

export function table(capture: Capture, name: string): Varbinds {
  const found = capture[name];
  if (!found) throw new Error(`capture has no table ${name}`);
  return found;
}
