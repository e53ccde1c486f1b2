/**
 * Feeds a scripted simulated gateway into a Store: every `stepMs` of simulated time one snapshot
 * collected by the agent's own sources and collectSnapshot over the gateway's in-memory files
 * and command outputs, plus the lifetime sweep, on the collector clock `FEED_START + simulated time`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { collectSnapshot } from "../agent/collectSnapshot.js";
import { detectSources } from "../agent/sources/registry.js";
import type { Source } from "../agent/sources/source.js";
import type { SqliteStore } from "../collector/store/sqliteStore.js";
import type { Snapshot } from "../protocol/index.js";
import { parseScenario, type SimEvent, SimulatedGateway } from "../simulator/index.js";
import { simulatedGatewayContext } from "../simulator/memoryContext.js";

/** 2025-01-15T12:00:00Z, the simulator tests' fixed world time. */
export const FEED_START = Date.UTC(2025, 0, 15, 12, 0, 0);

export function householdGateway(gatewayId = "gw-00001"): { gw: SimulatedGateway; events: SimEvent[] } {
  const file = join(import.meta.dirname, "../simulator/scenarios/household.json");
  const scenario = parseScenario(readFileSync(file, "utf8"), "household.json");
  const gw = new SimulatedGateway({ gatewayId, scenario, startTime: FEED_START, realtime: false });
  const events: SimEvent[] = [];
  gw.onEvent((e) => events.push(e));
  return { gw, events };
}

export async function snapshotOf(gw: SimulatedGateway, seq: number, sources: Source[]): Promise<Snapshot> {
  const { snapshot } = await collectSnapshot(sources, simulatedGatewayContext(gw), gw.gatewayId);
  return { ...snapshot, bootId: gw.bootId, seq };
}

export class Feed {
  simMs = 0;
  #seq = 0;
  #boot = "";
  #sources: Source[] | null = null;
  constructor(
    readonly gw: SimulatedGateway,
    readonly store: SqliteStore,
    readonly stepMs = 10_000,
  ) {}

  /** Collector clock now. */
  get now(): number {
    return FEED_START + this.simMs;
  }

  /** Advances to simulated second `untilS`, storing a snapshot and sweeping at every step. */
  async runUntil(untilS: number): Promise<void> {
    this.#sources ??= await detectSources(simulatedGatewayContext(this.gw), {});
    while (this.simMs < untilS * 1000) {
      this.gw.advance(this.stepMs);
      this.simMs += this.stepMs;
      if (this.gw.bootId !== this.#boot) {
        this.#boot = this.gw.bootId;
        this.#seq = 0;
      }
      this.store.applyBatch([
        { receivedAt: this.now, message: await snapshotOf(this.gw, this.#seq++, this.#sources) },
      ]);
      this.store.sweepExpired(this.now);
    }
  }
}
