/**
 * Ingest speed bench: the collector with its embedded broker in this process, and a fleet of
 * simulated gateways in a child process (plain mqtt.js clients, one connection per gateway,
 * each publishing valid snapshots of 20 leases (a home; `--leases` for a business site), as many
 * neighbours and 4 interfaces built with the protocol types, gzip-compressed above 16 KiB as an
 * agent sends them). Phases: connect the fleet, first snapshot of every gateway (initial load),
 * a steady phase at an offered rate, and a saturation phase (every gateway publishes its next
 * snapshot as soon as the previous one is acknowledged). Prints snapshots/s, device records/s,
 * publish-to-PUBACK latency (the PUBACK leaves after the commit, so this is report-to-queryable),
 * a zero-loss check against the database, and where the collector's CPU time went.
 *
 * Run after `npm run build`:
 *   node dist/bench/collectorIngest.js [--gateways 10000] [--rate 1000] [--steady 20] [--saturate 10] [--auth]
 *     [--leases 20]   (per snapshot; e.g. --gateways 200 --leases 1650 --rate 10 for business sites)
 *     [--max-delay MS]   (ingest's group-commit delay; 0 = end of the event-loop turn, the default)
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { connectAsync, type MqttClient } from "mqtt";
import { CredentialStore } from "../collector/auth/credentialStore.js";
import { GENERATED_PASSWORD_COST, hashPassword } from "../collector/auth/passwordHash.js";
import { type Collector, startCollector } from "../collector/runCollector.js";
import { openDatabase } from "../collector/store/openDatabase.js";
import { silentLogger } from "../common/logger.js";
import {
  encodePayload,
  type InterfaceCounters,
  type Lease,
  type Neighbor,
  PROTOCOL_VERSION,
  type Snapshot,
  topicFor,
} from "../protocol/index.js";

/** A home's leases per snapshot, the default of --leases. */
const HOME_LEASES = 20;
const PASSWORD = "bench-password-0123456789abcdef0123456789";

interface FleetConfig {
  port: number;
  gateways: number;
  leasesPerGateway: number;
  rate: number;
  steadySeconds: number;
  saturateSeconds: number;
  auth: boolean;
}

type PhaseName = "initial" | "steady" | "saturate";

interface PhaseResult {
  name: PhaseName;
  seconds: number;
  acknowledged: number;
  latencyMs: { p50: number; p99: number; max: number };
}

type FleetMessage =
  | { kind: "connected"; ms: number }
  | { kind: "phase-start"; name: PhaseName }
  | { kind: "phase-end"; result: PhaseResult }
  | { kind: "done"; lastSeqSum: number; acknowledged: number; failed: number };

// ---------------------------------------------------------------- the fleet (child process)

function gatewayId(i: number): string {
  return `bench-${String(i).padStart(5, "0")}`;
}

function hex(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

class SimulatedGateway {
  readonly id: string;
  readonly #index: number;
  readonly #leases: number;
  #seq = 0;
  #renewals = 0;
  /** Hours each lease was extended by renewals so far. */
  readonly #extensions: number[];
  /**
   * The gateway's clock (the wall clock: an NTP-synced gateway) at its first snapshot. Lease
   * expiries are fixed on that clock, as a DHCP server's are, so the collector, which converts them
   * with the snapshot's collectedAt, sees an unchanged lease as unchanged.
   */
  #startedAt: number | null = null;
  client!: MqttClient;

  constructor(index: number, leases: number) {
    this.#index = index;
    this.#leases = leases;
    this.#extensions = new Array<number>(leases).fill(0);
    this.id = gatewayId(index);
  }

  get seq(): number {
    return this.#seq;
  }

  next(now: number): string | Buffer {
    this.#seq++;
    this.#startedAt ??= now;
    // One lease renews per snapshot (its expiry an hour later), the rest are unchanged.
    this.#renewals++;
    const renewed = this.#renewals % this.#leases;
    this.#extensions[renewed] = (this.#extensions[renewed] as number) + 1;
    const leases: Lease[] = [];
    const neighbors: Neighbor[] = [];
    for (let d = 0; d < this.#leases; d++) {
      const mac = `02:${hex(this.#index >> 16)}:${hex(this.#index >> 8)}:${hex(this.#index)}:${hex(d >> 8)}:${hex(d)}`;
      const ip = `10.0.${(d + 10) >> 8}.${(d + 10) & 0xff}`;
      const base = this.#startedAt + 3_600_000 + d * 60_000;
      leases.push({
        mac,
        ip,
        family: "ipv4",
        hostname: `device-${d}`,
        expiresAt: base + (this.#extensions[d] as number) * 3_600_000,
        clientId: `01:${mac}`,
        duid: null,
        iaid: null,
        source: "dnsmasq",
      });
      neighbors.push({
        ip,
        mac,
        interface: "br-lan",
        state: "reachable",
        bridgePort: d % 2 ? "wlan0" : "lan1",
      });
    }
    const interfaces: InterfaceCounters[] = ["br-lan", "eth0", "wlan0", "wlan1"].map((name, k) => ({
      name,
      rxBytes: this.#seq * 1_000_000 + k,
      txBytes: this.#seq * 2_000_000 + k,
      rxPackets: this.#seq * 1000,
      txPackets: this.#seq * 1500,
      rxErrors: 0,
      txErrors: 0,
      rxDropped: 0,
      txDropped: 0,
    }));
    const snapshot: Snapshot = {
      v: PROTOCOL_VERSION,
      type: "snapshot",
      gatewayId: this.id,
      bootId: "bench-boot",
      seq: this.#seq,
      collectedAt: now,
      uptimeSeconds: 1000 + Math.floor((now - this.#startedAt) / 1000),
      leases,
      neighbors,
      interfaces,
      radios: [],
      stations: [],
      sources: [{ source: "dnsmasq", status: "ok", records: this.#leases, skipped: 0, error: null }],
    };
    // As an agent sends it (a home's 20 leases stay under the size that is compressed).
    return encodePayload(JSON.stringify(snapshot));
  }
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

async function runFleet(config: FleetConfig): Promise<void> {
  const send = (message: FleetMessage) => process.send?.(message);
  const gateways = Array.from(
    { length: config.gateways },
    (_, i) => new SimulatedGateway(i, config.leasesPerGateway),
  );
  let failed = 0;
  let acknowledged = 0;

  const started = performance.now();
  const BATCH = 250;
  for (let i = 0; i < gateways.length; i += BATCH) {
    await Promise.all(
      gateways.slice(i, i + BATCH).map(async (g) => {
        g.client = await connectAsync(`mqtt://127.0.0.1:${config.port}`, {
          clientId: g.id,
          protocolVersion: 4,
          reconnectPeriod: 0,
          keepalive: 300,
          connectTimeout: 120_000,
          ...(config.auth ? { username: g.id, password: PASSWORD } : {}),
        });
      }),
    );
  }
  send({ kind: "connected", ms: performance.now() - started });

  const publish = async (g: SimulatedGateway, latencies: number[]): Promise<void> => {
    const payload = g.next(Date.now());
    const t0 = performance.now();
    try {
      await g.client.publishAsync(topicFor(g.id, "snapshot"), payload, { qos: 1 });
      latencies.push(performance.now() - t0);
      acknowledged++;
    } catch {
      failed++;
    }
  };

  const phase = async (name: PhaseName, body: (latencies: number[]) => Promise<void>) => {
    send({ kind: "phase-start", name });
    const latencies: number[] = [];
    const t0 = performance.now();
    await body(latencies);
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    send({
      kind: "phase-end",
      result: {
        name,
        seconds,
        acknowledged: latencies.length,
        latencyMs: {
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
          max: latencies[latencies.length - 1] ?? 0,
        },
      },
    });
  };

  // Initial load: every gateway's first snapshot (20 new leases each), at most 1000 in flight.
  await phase("initial", async (latencies) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 1000 }, async () => {
        while (next < gateways.length) await publish(gateways[next++] as SimulatedGateway, latencies);
      }),
    );
  });

  // Steady: the offered rate, spread evenly over the gateways (each publishes every gateways/rate s).
  await phase("steady", async (latencies) => {
    const pending: Array<Promise<void>> = [];
    const t0 = performance.now();
    const total = Math.round(config.rate * config.steadySeconds);
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * config.rate));
      while (sent < due) {
        pending.push(publish(gateways[sent % gateways.length] as SimulatedGateway, latencies));
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(pending);
  });

  // Saturation: closed loop, every gateway sends its next snapshot once the previous is acknowledged.
  await phase("saturate", async (latencies) => {
    const end = performance.now() + config.saturateSeconds * 1000;
    await Promise.all(
      gateways.map(async (g) => {
        while (performance.now() < end) await publish(g, latencies);
      }),
    );
  });

  const lastSeqSum = gateways.reduce((n, g) => n + g.seq, 0);
  await Promise.all(gateways.map((g) => g.client.endAsync(true)));
  send({ kind: "done", lastSeqSum, acknowledged, failed });
}

// ---------------------------------------------------------------- the collector side (this process)

interface CpuSample {
  cpu: NodeJS.CpuUsage;
  elu: ReturnType<typeof performance.eventLoopUtilization>;
  validation: number;
  store: number;
  wall: number;
}

function sampleCpu(collector: Collector): CpuSample {
  const m = collector.ingest.metrics;
  return {
    cpu: process.cpuUsage(),
    elu: performance.eventLoopUtilization(),
    validation: m.validationSeconds,
    store: m.storeSeconds,
    wall: performance.now(),
  };
}

/** Where the collector's main thread spent the phase (wall time; SQLite's includes its I/O waits). */
function describeCpu(from: CpuSample, to: CpuSample): string {
  const cpuSeconds = (to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system) / 1e6;
  const wall = (to.wall - from.wall) / 1000;
  const busy = performance.eventLoopUtilization(to.elu, from.elu).active / 1000;
  const validation = to.validation - from.validation;
  const store = to.store - from.store;
  const other = Math.max(0, busy - validation - store);
  const pct = (s: number) => `${((100 * s) / wall).toFixed(0)}%`;
  return (
    `collector main thread busy ${pct(busy)} of ${wall.toFixed(1)} s: JSON parse + validation ${pct(validation)}, ` +
    `SQLite transactions ${pct(store)}, MQTT (aedes, sockets) and the rest ${pct(other)}; ` +
    `process CPU ${cpuSeconds.toFixed(1)} s (${((100 * cpuSeconds) / wall).toFixed(0)}% of one core, GC and I/O threads included)`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      gateways: { type: "string", default: "10000" },
      leases: { type: "string", default: String(HOME_LEASES) },
      rate: { type: "string", default: "1000" },
      steady: { type: "string", default: "20" },
      saturate: { type: "string", default: "10" },
      auth: { type: "boolean", default: false },
      "max-delay": { type: "string", default: "0" },
      fleet: { type: "string" },
    },
  });
  if (values.fleet) {
    await runFleet(JSON.parse(values.fleet) as FleetConfig);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "leaseline-ingest-bench-"));
  const db = join(dir, "bench.db");
  const gateways = Number(values.gateways);
  const leasesPerGateway = Number(values.leases);
  if (!Number.isInteger(leasesPerGateway) || leasesPerGateway < 1 || leasesPerGateway > 60_000)
    throw new Error("--leases takes a whole number from 1 to 60000");
  if (values.auth) {
    // One hash for every gateway: each login still costs one scrypt of the generated-password cost.
    const hash = await hashPassword(PASSWORD, GENERATED_PASSWORD_COST);
    const handle = openDatabase(db);
    const credentials = new CredentialStore(handle);
    handle.transaction(() => {
      for (let i = 0; i < gateways; i++) credentials.add(gatewayId(i), hash, Date.now());
    })();
    handle.close();
  }
  const collector = await startCollector({
    db,
    listen: "mqtt://127.0.0.1:0",
    log: silentLogger(),
    ingest: { maxDelayMs: Number(values["max-delay"]) },
  });
  const config: FleetConfig = {
    port: collector.broker.port,
    gateways,
    leasesPerGateway,
    rate: Number(values.rate),
    steadySeconds: Number(values.steady),
    saturateSeconds: Number(values.saturate),
    auth: values.auth ?? false,
  };
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `collector ingest bench: ${gateways} gateways × ${leasesPerGateway} leases, embedded broker, ` +
      `${config.auth ? "password authentication" : "anonymous (loopback)"}, fleet in a child process`,
  );

  const child: ChildProcess = fork(import.meta.filename, ["--fleet", JSON.stringify(config)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let phaseStart: CpuSample = sampleCpu(collector);
  const done = new Promise<Extract<FleetMessage, { kind: "done" }>>((resolve, reject) => {
    child.on("message", (message: FleetMessage) => {
      if (message.kind === "connected") {
        out(`  connect ${gateways} gateways: ${(message.ms / 1000).toFixed(1)} s`);
      } else if (message.kind === "phase-start") {
        phaseStart = sampleCpu(collector);
      } else if (message.kind === "phase-end") {
        const r = message.result;
        const perSecond = r.acknowledged / r.seconds;
        out(
          `  ${r.name.padEnd(8)} ${r.acknowledged} snapshots in ${r.seconds.toFixed(1)} s: ` +
            `${perSecond.toFixed(0)} snapshots/s, ${(perSecond * leasesPerGateway).toFixed(0)} lease records/s; ` +
            `publish→PUBACK (= queryable) p50 ${r.latencyMs.p50.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms, max ${r.latencyMs.max.toFixed(1)} ms`,
        );
        out(`           ${describeCpu(phaseStart, sampleCpu(collector))}`);
      } else {
        resolve(message);
      }
    });
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`fleet exited with ${code}`));
    });
  });
  try {
    const result = await done;
    const m = collector.ingest.metrics;
    const row = collector.store.db
      .prepare<[], { gateways: number; seqs: number; leases: number }>(
        `SELECT count(*) AS gateways, sum(last_snapshot_seq) AS seqs,
                (SELECT count(*) FROM leases) AS leases FROM gateways`,
      )
      .get() as { gateways: number; seqs: number; leases: number };
    const lossFree =
      result.failed === 0 &&
      row.gateways === gateways &&
      row.seqs === result.lastSeqSum &&
      row.leases === gateways * leasesPerGateway &&
      m.stored === result.acknowledged;
    out(
      `  zero-loss check: ${lossFree ? "OK" : "FAILED"} (acknowledged ${result.acknowledged}, failed ${result.failed}, ` +
        `stored ${m.stored}, duplicates ${m.duplicates}; database: ${row.gateways} gateways, ` +
        `Σ last seq ${row.seqs} = Σ published seq ${result.lastSeqSum}, ${row.leases} leases)`,
    );
    out(
      `  commits: ${m.batches} transactions, ${(m.stored / Math.max(1, m.batches)).toFixed(1)} messages each on average; ` +
        `ingest latency (arrival→commit) p99 ≤ ${(m.latency.quantileUpperBound(0.99) * 1000).toFixed(1)} ms`,
    );
    if (!lossFree) process.exitCode = 1;
  } finally {
    child.kill();
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
