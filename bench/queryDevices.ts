/**
 * Support-query bench: `GET /api/v1/gateways/ID/devices` latency over HTTP on loopback with
 * 1,000,000 leases (and device rows) across 50,000 gateways, while a child process keeps ingest
 * busy with snapshots over MQTT; plus a privacy export of one gateway on the same database.
 * The database is generated with direct inserts in one transaction. The requests come from a
 * second child process, as from a real client: a client on the collector's main thread would
 * itself wait for every commit and measure that, not the API.
 *
 * Run after `npm run build`:
 *   node dist/bench/queryDevices.js [--gateways 50000] [--devices 20] [--requests 5000] [--rate 500]
 *     [--warmup 1000]
 * `--warmup` requests go first, untimed: the figures are for a collector that has been answering
 * for a while (compiled code, warm caches), not for its first requests after start-up.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { connectAsync } from "mqtt";
import { TokenStore } from "../collector/api/tokenStore.js";
import { exportSubject } from "../collector/privacy/privacyExport.js";
import { startCollector } from "../collector/runCollector.js";
import { SqliteStore } from "../collector/store/sqliteStore.js";
import { silentLogger } from "../common/logger.js";
import { PROTOCOL_VERSION, type Snapshot, topicFor } from "../protocol/index.js";

const { values } = parseArgs({
  options: {
    gateways: { type: "string", default: "50000" },
    devices: { type: "string", default: "20" },
    requests: { type: "string", default: "5000" },
    warmup: { type: "string", default: "1000" },
    rate: { type: "string", default: "500" },
    load: { type: "string" },
    client: { type: "string" },
    token: { type: "string" },
  },
});

const mac = (g: number, d: number) =>
  `02:${[g >> 16, g >> 8, g, d, 7].map((n) => (n & 255).toString(16).padStart(2, "0")).join(":")}`;

/** Child: publishes snapshots of 20 leases for 200 other gateways at `rate` per second. */
async function load(port: number, rate: number): Promise<void> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "load", reconnectPeriod: 0 });
  let seq = 0;
  const now = Date.now();
  for (;;) {
    const started = Date.now();
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < rate / 10; i++) {
      const g = seq % 200;
      const snapshot: Snapshot = {
        v: PROTOCOL_VERSION,
        type: "snapshot",
        gatewayId: `load-${g}`,
        bootId: "b",
        seq: seq++,
        collectedAt: now + seq,
        uptimeSeconds: seq,
        leases: Array.from({ length: 20 }, (_, d) => ({
          mac: mac(900_000 + g, d),
          ip: `10.${g & 255}.0.${d + 2}`,
          family: "ipv4" as const,
          hostname: `host-${d}`,
          expiresAt: now + 3_600_000 + (seq % 7) * 10_000,
          clientId: null,
          duid: null,
          iaid: null,
          source: "dnsmasq" as const,
        })),
        neighbors: [],
        interfaces: [
          {
            name: "br-lan",
            rxBytes: seq * 1000,
            txBytes: seq * 3000,
            rxPackets: seq,
            txPackets: seq,
            rxErrors: 0,
            txErrors: 0,
            rxDropped: 0,
            txDropped: 0,
          },
        ],
        radios: [],
        stations: [],
        sources: [],
      };
      batch.push(
        client.publishAsync(topicFor(`load-${g}`, "snapshot"), JSON.stringify(snapshot), { qos: 1 }),
      );
    }
    await Promise.all(batch);
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
  }
}

function generate(file: string, gateways: number, devices: number): number {
  const started = performance.now();
  const store = new SqliteStore(file);
  const db = store.db;
  const now = Date.now();
  const gw = db.prepare(
    "INSERT INTO gateways (gateway_id, boot_id, boot_seen_at, first_seen_at, last_seen_at, online) VALUES (?, 'boot', ?, ?, ?, 1)",
  );
  const lease = db.prepare(
    "INSERT INTO leases (gateway_id, ip, family, mac, hostname, source, expires_at, first_seen_at, updated_at) VALUES (?, ?, 'ipv4', ?, ?, 'dnsmasq', ?, ?, ?)",
  );
  const device = db.prepare(
    `INSERT INTO devices (gateway_id, mac, ips, hostname, has_lease, present, connection, interface, band, signal_dbm,
       rx_bytes, tx_bytes, rx_rate, tx_rate, lease_rx_bytes, lease_tx_bytes, first_seen_at, updated_at)
     VALUES (?, ?, ?, ?, 1, 1, 'wifi', 'wlan1', '5GHz', -55, 1000, 2000, 10.5, 20.5, 1000, 2000, ?, ?)`,
  );
  db.transaction(() => {
    for (let g = 0; g < gateways; g++) {
      const id = `gw-${String(g).padStart(5, "0")}`;
      gw.run(id, now, now, now);
      for (let d = 0; d < devices; d++) {
        const ip = `10.${(g >> 8) & 255}.${g & 255}.${d + 2}`;
        lease.run(id, ip, mac(g, d), `device-${d}`, now + 86_400_000, now, now);
        device.run(id, mac(g, d), JSON.stringify([ip]), `device-${d}`, now, now);
      }
    }
  })();
  store.close();
  return performance.now() - started;
}

function get(agent: Agent, port: number, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Child: the timed requests, one at a time on one keep-alive connection; sends the times back. */
async function client(
  port: number,
  token: string,
  gateways: number,
  requests: number,
  warmup: number,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < warmup; i++) {
    const g = Math.floor(Math.random() * gateways);
    await get(agent, port, `/api/v1/gateways/gw-${String(g).padStart(5, "0")}/devices`, token);
  }
  process.send?.({ timing: true });
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const g = Math.floor(Math.random() * gateways);
    const t0 = performance.now();
    const status = await get(agent, port, `/api/v1/gateways/gw-${String(g).padStart(5, "0")}/devices`, token);
    times.push(performance.now() - t0);
    if (status !== 200) throw new Error(`status ${status}`);
  }
  agent.destroy();
  process.send?.({ times, elapsedMs: performance.now() - started });
}

async function main(): Promise<void> {
  if (values.load) return load(Number(values.load), Number(values.rate));
  if (values.client)
    return client(
      Number(values.client),
      values.token as string,
      Number(values.gateways),
      Number(values.requests),
      Number(values.warmup),
    );
  const gateways = Number(values.gateways);
  const devices = Number(values.devices);
  const dir = mkdtempSync(join(tmpdir(), "leaseline-query-bench-"));
  const file = join(dir, "bench.db");
  try {
    const genMs = generate(file, gateways, devices);
    console.log(
      `generated ${gateways} gateways x ${devices} leases + device rows in ${(genMs / 1000).toFixed(1)} s`,
    );
    const collector = await startCollector({
      db: file,
      listen: "mqtt://127.0.0.1:0",
      http: { host: "127.0.0.1", port: 0 },
      log: silentLogger(),
      // One load client publishes for 200 gateways: lift the per-client publish rate limit.
      brokerLimits: { publishRatePerSecond: 1_000_000, publishBurst: 10_000_000 },
    });
    const token = new TokenStore(collector.store.db).add("support").token;
    const child = fork(process.argv[1] as string, [
      "--load",
      String(collector.broker.port),
      "--rate",
      String(values.rate),
    ]);
    await new Promise((r) => setTimeout(r, 2000));
    let storedBefore = collector.ingest.metrics.stored;
    const port = collector.http?.port as number;
    const requester = fork(process.argv[1] as string, [
      "--client",
      String(port),
      "--token",
      token,
      "--gateways",
      String(gateways),
      "--requests",
      String(values.requests),
      "--warmup",
      String(values.warmup),
    ]);
    const { times, elapsedMs } = await new Promise<{ times: number[]; elapsedMs: number }>(
      (resolve, reject) => {
        requester.on("message", (m: { timing?: true; times?: number[]; elapsedMs?: number }) => {
          if (m.timing) storedBefore = collector.ingest.metrics.stored;
          else resolve(m as { times: number[]; elapsedMs: number });
        });
        requester.once("exit", (code) => reject(new Error(`request client exited with code ${code}`)));
      },
    );
    const elapsed = elapsedMs / 1000;
    const stored = collector.ingest.metrics.stored - storedBefore;
    child.kill("SIGTERM");
    times.sort((a, b) => a - b);
    const pct = (p: number) =>
      (times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] as number).toFixed(3);
    console.log(
      `devices over HTTP: ${times.length} requests (after ${values.warmup} untimed) in ${elapsed.toFixed(1)} s; p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms`,
    );
    console.log(
      `ingest meanwhile: ${stored} snapshots stored (${(stored / elapsed).toFixed(0)}/s, 20 leases each)`,
    );
    const e0 = performance.now();
    const doc = collector.store.db.transaction(() =>
      exportSubject(collector.store.db, { gatewayId: "gw-01234" }),
    )();
    const rows = Object.values(doc.tables).reduce((n, t) => n + t.length, 0);
    console.log(`privacy export of one gateway: ${rows} rows in ${(performance.now() - e0).toFixed(1)} ms`);
    await collector.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
