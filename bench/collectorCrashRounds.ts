/**
 * Crash rounds for the collector: start the real CLI (`node dist/cli/main.js collector`, in its
 * own process group), let publishers send QoS 1 messages with known identities, SIGKILL the
 * collector at a random moment, and check that every message a publisher saw acknowledged is
 * in the database and that SQLite's integrity check passes. Used by test/collectorCrash.test.ts
 * (a few rounds) and bench/collectorCrash.ts (many rounds, figures).
 *
 * Each message is a snapshot of its own gateway (`c<round>p<publisher>m<n>`), so "stored" is
 * exactly "that gateway has a row".
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { connectAsync, type MqttClient } from "mqtt";
import { freePort, waitForPort } from "../common/loopbackPorts.js";
import { Prng } from "../common/prng.js";
import { type Lease, PROTOCOL_VERSION, type Snapshot, topicFor } from "../protocol/index.js";

export interface CrashOptions {
  /** Path of dist/cli/main.js. */
  cli: string;
  /** Directory for the database. */
  dir: string;
  rounds: number;
  publishers: number;
  /** Unacknowledged messages each publisher keeps in flight. */
  inFlight: number;
  /** The kill comes this many ms after the publishers started, uniformly at random in [min, max]. */
  killAfterMs: [number, number];
  seed: number;
  onRound?: (round: RoundResult) => void;
}

export interface RoundResult {
  round: number;
  killedAfterMs: number;
  acknowledged: number;
  /** Messages stored, acknowledged or not (a commit can finish just before the kill, its PUBACK lost). */
  stored: number;
  /** Acknowledged but missing: must be 0. */
  lost: string[];
  integrity: string;
}

function crashSnapshot(gatewayId: string): Snapshot {
  const leases: Lease[] = [1, 2, 3].map((i) => ({
    mac: `02:00:00:00:00:0${i}`,
    ip: `192.168.1.${i + 10}`,
    family: "ipv4",
    hostname: `host-${i}`,
    expiresAt: null,
    clientId: null,
    duid: null,
    iaid: null,
    source: "dnsmasq",
  }));
  return {
    v: PROTOCOL_VERSION,
    type: "snapshot",
    gatewayId,
    bootId: "boot-1",
    seq: 1,
    collectedAt: Date.now(),
    uptimeSeconds: 100,
    leases,
    neighbors: [],
    interfaces: [],
    radios: [],
    stations: [],
    sources: [],
  };
}

function startCollector(
  cli: string,
  db: string,
  port: number,
): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    [
      cli,
      "collector",
      "--db",
      db,
      "--listen",
      `mqtt://127.0.0.1:${port}`,
      "--http",
      "off",
      "--max-publish-rate",
      "1000000",
    ],
    {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
      env: { ...process.env, LEASELINE_LOG_LEVEL: "warn" },
    },
  );
  let output = "";
  child.stderr?.on("data", (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  return { child, output: () => output };
}

async function publishUntilClosed(
  client: MqttClient,
  prefix: string,
  inFlight: number,
  acknowledged: string[],
): Promise<void> {
  let n = 0;
  let open = true;
  client.once("close", () => {
    open = false;
  });
  const worker = async () => {
    while (open) {
      const gatewayId = `${prefix}m${n++}`;
      try {
        await client.publishAsync(topicFor(gatewayId, "snapshot"), JSON.stringify(crashSnapshot(gatewayId)), {
          qos: 1,
        });
        acknowledged.push(gatewayId);
      } catch {
        return;
      }
    }
  };
  // Pending publishes never settle once the connection is gone; the close ends the round for us.
  await Promise.race([
    Promise.all(Array.from({ length: inFlight }, worker)),
    new Promise<void>((resolve) => client.once("close", () => resolve())),
  ]);
}

export async function runCrashRounds(options: CrashOptions): Promise<RoundResult[]> {
  // Seeded, so a failing round can be replayed with its seed.
  const prng = new Prng(options.seed);
  const random = () => prng.next();
  const db = join(options.dir, "crash.db");
  const results: RoundResult[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const port = await freePort();
    const collector = startCollector(options.cli, db, port);
    const exited = new Promise<void>((resolve) => collector.child.once("exit", () => resolve()));
    try {
      await waitForPort(port, 15_000);
    } catch (error) {
      collector.child.kill("SIGKILL");
      throw new Error(`${(error as Error).message}; collector said: ${collector.output()}`);
    }
    const acknowledged: string[] = [];
    const clients = await Promise.all(
      Array.from({ length: options.publishers }, (_, p) =>
        connectAsync(`mqtt://127.0.0.1:${port}`, {
          clientId: `crash-r${round}-p${p}`,
          protocolVersion: 4,
          reconnectPeriod: 0,
        }),
      ),
    );
    const publishing = clients.map((client, p) =>
      publishUntilClosed(client, `c${round}p${p}`, options.inFlight, acknowledged),
    );
    const [min, max] = options.killAfterMs;
    const killedAfterMs = Math.round(min + random() * (max - min));
    await sleep(killedAfterMs);
    process.kill(-(collector.child.pid as number), "SIGKILL");
    await exited;
    await Promise.all(publishing);
    for (const client of clients) client.end(true);

    // Opening the file read-write runs SQLite's recovery of the WAL, as the next collector would.
    const check = new Database(db);
    try {
      const has = check.prepare<[string], { one: number }>(
        "SELECT 1 AS one FROM gateways WHERE gateway_id = ?",
      );
      const lost = acknowledged.filter((id) => has.get(id) === undefined);
      const stored = (
        check
          .prepare<[string], { n: number }>("SELECT count(*) AS n FROM gateways WHERE gateway_id LIKE ?")
          .get(`c${round}p%`) as { n: number }
      ).n;
      const integrity = check.pragma("integrity_check", { simple: true }) as string;
      const result = { round, killedAfterMs, acknowledged: acknowledged.length, stored, lost, integrity };
      results.push(result);
      options.onRound?.(result);
    } finally {
      check.close();
    }
  }
  return results;
}
