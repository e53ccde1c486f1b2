/** Helpers shared by the simulator's tests (not part of the public API). */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedGateway, type SimulatedGatewayOptions } from "./gateway.js";
import type { SimEvent } from "./model.js";
import { parseScenario, type Scenario } from "./scenario.js";

/** 2025-01-15T12:00:00Z: a fixed world time so clocks in files are reproducible. */
export const WORLD_START = Date.UTC(2025, 0, 15, 12, 0, 0);

export function tempRoot(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "leaseline-sim-"));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A gateway driven only by advance(), with its events collected. */
export function manualGateway(options: SimulatedGatewayOptions = {}): {
  gw: SimulatedGateway;
  events: SimEvent[];
} {
  const gw = new SimulatedGateway({ startTime: WORLD_START, realtime: false, ...options });
  const events: SimEvent[] = [];
  gw.onEvent((e) => events.push(e));
  return { gw, events };
}

export function readGatewayFile(gw: SimulatedGateway, relPath: string): string {
  if (!gw.dir) throw new Error("gateway has no directory");
  return readFileSync(join(gw.dir, relPath), "utf8");
}

export function scenario(json: unknown): Scenario {
  return parseScenario(JSON.stringify(json), "test-scenario.json");
}

export function loadExampleScenario(): Scenario {
  return parseScenario(
    readFileSync(join(import.meta.dirname, "scenarios", "household.json"), "utf8"),
    "household.json",
  );
}
