/**
 * One real agent per simulated gateway, all in this process (one event loop, each agent with
 * its own MQTT connection), so a single machine can load a collector with thousands of
 * gateways. Agents read their gateway through simulatedGatewayContext (the real sources and
 * parsers, no files or processes) and start staggered over one interval so a fleet never
 * publishes in lock-step. Like a real gateway's, each agent subscribes to its own cmd topic,
 * so support's `snapshot` and `speedtest` commands can be tried against a simulated fleet.
 */
import { Agent } from "../agent/agent.js";
import { BOOT_ID_PATH } from "../agent/bootId.js";
import { SourceSelection } from "../agent/sources/registry.js";
import type { Logger } from "../common/logger.js";
import { LEASELINE_VERSION } from "../common/version.js";
import type { SimulatedFleet } from "./fleet.js";
import { simulatedGatewayContext } from "./memoryContext.js";
import { hashString } from "./prng.js";

export interface FleetAgentsOptions {
  broker: string;
  intervalMs: number;
  log: Logger;
}

export interface FleetAgentCounters {
  agents: number;
  connected: number;
  published: number;
  failed: number;
}

export class FleetAgents {
  readonly #fleet: SimulatedFleet;
  readonly #options: FleetAgentsOptions;
  readonly #agents: Agent[] = [];
  readonly #starts: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(fleet: SimulatedFleet, options: FleetAgentsOptions) {
    this.#fleet = fleet;
    this.#options = options;
  }

  /** Schedules every agent's start within one interval (deterministically spread by gateway id). */
  start(): void {
    const { broker, intervalMs, log } = this.#options;
    for (const gateway of this.#fleet.gateways) {
      const agent = new Agent({
        gatewayId: gateway.gatewayId,
        ctx: simulatedGatewayContext(gateway),
        sources: new SourceSelection("auto", {}),
        bootIdFile: BOOT_ID_PATH,
        log: log.child({ gatewayId: gateway.gatewayId }),
        version: LEASELINE_VERSION,
        stateDir: null,
        broker,
        intervalMs,
      });
      this.#agents.push(agent);
      const delay = hashString(gateway.gatewayId) % Math.max(1, intervalMs);
      this.#starts.push(
        setTimeout(() => {
          if (this.#stopped) return;
          agent
            .start()
            .catch((error: Error) =>
              log.error({ err: error, gatewayId: gateway.gatewayId }, "agent failed to start"),
            );
        }, delay),
      );
    }
  }

  counters(): FleetAgentCounters {
    const totals: FleetAgentCounters = { agents: this.#agents.length, connected: 0, published: 0, failed: 0 };
    for (const agent of this.#agents) {
      const publisher = agent.publisher;
      if (!publisher) continue;
      if (publisher.connected) totals.connected++;
      totals.published += publisher.counters.published;
      totals.failed += publisher.counters.failed;
    }
    return totals;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#starts) clearTimeout(t);
    await Promise.all(this.#agents.map((a) => a.stop()));
  }
}
