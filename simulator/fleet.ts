/**
 * Many simulated gateways in one process (`--gateways N`), driven by a single wall-clock timer.
 * Gateway ids are `gw-00001`, `gw-00002`, ...; each draws its own random stream from the seed and
 * its id. With SNMP, gateway i listens on basePort + i.
 */
import { SimulatedGateway, type SimulatedGatewayOptions } from "./gateway.js";
import type { SimEvent } from "./model.js";
import type { SnmpAgentOptions } from "./snmpAgent.js";

export interface FleetOptions extends Omit<SimulatedGatewayOptions, "gatewayId" | "realtime" | "snmp"> {
  /** Number of gateways; default 1. */
  gateways?: number;
  /** Simulated seconds after which the fleet stops by itself; default: until stop(). */
  durationSeconds?: number;
  /** SNMP for every gateway: gateway i (from 0) listens on `port + i`. */
  snmp?: SnmpAgentOptions;
}

/** Share of each tick's wall time spent writing files; a fleet that needs more is refreshed round-robin. */
const PUBLISH_SHARE_OF_TICK = 0.5;

export function gatewayIdFor(index: number): string {
  return `gw-${String(index + 1).padStart(5, "0")}`;
}

export class SimulatedFleet {
  readonly gateways: SimulatedGateway[] = [];
  readonly speed: number;
  /** Resolves when the fleet has stopped (duration reached or stop() called). */
  readonly done: Promise<void>;
  private readonly durationMs: number | null;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  private wallStart = 0;
  private simNow = 0;
  private stopping: Promise<void> | null = null;
  private publishCursor = 0;
  private resolveDone: () => void = () => {};

  constructor(options: FleetOptions = {}) {
    const count = options.gateways ?? 1;
    this.speed = options.speed ?? 1;
    this.tickMs = options.tickMs ?? 1000;
    this.durationMs =
      options.durationSeconds === undefined ? null : Math.round(options.durationSeconds * 1000);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    for (let i = 0; i < count; i++) {
      const snmp = options.snmp ? { ...options.snmp, port: options.snmp.port + i } : undefined;
      this.gateways.push(
        new SimulatedGateway({
          ...options,
          gatewayId: gatewayIdFor(i),
          realtime: false,
          ...(snmp ? { snmp } : {}),
        }),
      );
    }
  }

  /** Simulated ms since the start. */
  get t(): number {
    return this.simNow;
  }

  onEvent(listener: (event: SimEvent) => void): () => void {
    const offs = this.gateways.map((g) => g.onEvent(listener));
    return () => {
      for (const off of offs) off();
    };
  }

  async start(): Promise<void> {
    for (const g of this.gateways) await g.start();
    this.wallStart = performance.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    if (this.durationMs === 0) await this.stop();
  }

  /**
   * Advances every gateway to simulated time `t`, then publishes (writes files, refreshes SNMP)
   * as many gateways as fit in `budgetMs` of wall time, round-robin, so a fleet too large to
   * write every tick keeps real-time pace and refreshes each gateway every few ticks instead.
   * Each gateway's files are always rendered together at one simulated time.
   */
  advanceTo(t: number, budgetMs = Number.POSITIVE_INFINITY): void {
    this.simNow = t;
    for (const g of this.gateways) g.runUntil(t);
    const started = performance.now();
    const n = this.gateways.length;
    for (let i = 0; i < n; i++) {
      const g = this.gateways[(this.publishCursor + i) % n] as SimulatedGateway;
      g.publish();
      if (performance.now() - started > budgetMs) {
        this.publishCursor = (this.publishCursor + i + 1) % n;
        return;
      }
    }
  }

  private tick(): void {
    let target = Math.floor((performance.now() - this.wallStart) * this.speed);
    const end = this.durationMs !== null && target >= this.durationMs;
    if (end) target = this.durationMs as number;
    // Half of each tick for writing leaves the other half for the agents and the event output.
    this.advanceTo(target, end ? Number.POSITIVE_INFINITY : this.tickMs * PUBLISH_SHARE_OF_TICK);
    if (end) void this.stop();
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
        for (const g of this.gateways) await g.stop();
        this.resolveDone();
      })();
    }
    return this.stopping;
  }
}
