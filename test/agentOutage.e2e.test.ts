/**
 * The agent's runtime against a real collector (aedes on loopback, real SQLite, real mqtt.js):
 * a broker killed and restarted on the same port mid-stream, and an outbox that fills while the
 * broker is away. Every snapshot carries a different single lease, so the collector's count of
 * released leases proves delivery: N snapshots applied in order release exactly N - 1 leases,
 * and a lost or reordered one (a reordered one is refused as stale) releases fewer.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectAsync } from "mqtt";
import { describe, expect, it } from "vitest";
import { Agent } from "../agent/agent.js";
import { Outbox } from "../agent/outbox/outbox.js";
import type { Source } from "../agent/sources/source.js";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { type Collector, startCollector } from "../collector/runCollector.js";
import { silentLogger } from "../common/logger.js";
import type { Lease } from "../protocol/index.js";
import { cleanupsAfterEach, tempDir, waitFor, writeBootId } from "./helpers.js";

const GATEWAY = "gw-outage";
const log = silentLogger();

function leaseFor(version: number): Lease {
  const hex = (version & 0xffff).toString(16).padStart(4, "0");
  return {
    mac: `02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`,
    ip: `10.1.${(version >> 8) & 0xff}.${version & 0xff}`,
    family: "ipv4",
    hostname: `h${version}`,
    expiresAt: null,
    clientId: null,
    duid: null,
    iaid: null,
    source: "dnsmasq",
  };
}

/** Leases that never change: they make a snapshot bigger without adding releases. */
function fillerLeases(count: number): Lease[] {
  return Array.from({ length: count }, (_, i) => ({
    ...leaseFor(0xf000 + i),
    ip: `10.9.0.${i + 1}`,
    hostname: `filler-${i}-${"f".repeat(200)}`,
  }));
}

/**
 * A source whose lease changes at every collection until frozen, so every poll finds a change and
 * every published snapshot differs from the one before it.
 */
function changingSource(fillers = 0) {
  const filler = fillerLeases(fillers);
  const state = { version: 0, frozen: false };
  const source: Source = {
    name: "dnsmasq",
    detect: async () => true,
    collect: async () => {
      if (!state.frozen) state.version++;
      return { status: "ok", records: { leases: [leaseFor(state.version), ...filler] }, skipped: [] };
    },
  };
  return { state, provider: { current: async () => [source], snmpOnly: () => null } };
}

function gatewayRoot(dir: string): string {
  const root = join(dir, "gateway");
  writeBootId(root, "6f1c2d3e-0000-4000-8000-00000000beef");
  return root;
}

function storedLeases(collector: Collector): Array<{ ip: string }> {
  return collector.store.db
    .prepare("SELECT ip FROM leases WHERE gateway_id = ? AND ip NOT LIKE '10.9.0.%'")
    .all(GATEWAY) as Array<{
    ip: string;
  }>;
}

/** Like waitFor, but checks every millisecond: to act in the middle of a replay, not after it. */
async function waitTightly(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(1);
  }
}

/** A loopback port nothing listens on (a collector's, closed again). */
async function freePort(db: string): Promise<number> {
  const probe = await startCollector({ db, listen: "mqtt://127.0.0.1:0", log });
  const port = probe.broker.port;
  await probe.close();
  return port;
}

describe("agent runtime: outages", () => {
  const cleanups = cleanupsAfterEach();

  function newAgent(
    dir: string,
    provider: ReturnType<typeof changingSource>["provider"],
    port: number,
    extra = {},
  ) {
    const agent = new Agent({
      gatewayId: GATEWAY,
      ctx: createSystemContext({ root: gatewayRoot(dir), commandTimeoutMs: 1000 }),
      sources: provider,
      bootIdFile: "/proc/sys/kernel/random/boot_id",
      log,
      version: "test",
      stateDir: join(dir, "state"),
      broker: `mqtt://127.0.0.1:${port}`,
      intervalMs: 3_600_000,
      pollMs: 20,
      reconnect: { baseMs: 50, capMs: 250 },
      // Faster than the default pace, with backlogs kept under the embedded broker's burst of 200.
      publishRate: 1000,
      shutdownFlushMs: 2000,
      ...extra,
    });
    cleanups.push(() => agent.stop());
    return agent;
  }

  it("broker killed and restarted on the same port mid-stream: nothing lost, order kept", async () => {
    const dir = tempDir("outage");
    cleanups.push(dir.remove);
    const db = join(dir.path, "collector.db");
    const port = await freePort(db);
    const { state, provider } = changingSource();
    // Paced so that the replay of the backlog is still under way when the broker dies.
    const agent = newAgent(dir.path, provider, port, { pollMs: 4, publishRate: 200 });
    await agent.start();
    // A backlog first, so that the broker dies while a full window of publishes is unacknowledged.
    await waitFor("a backlog queued", () => (agent.outbox?.stats.messages ?? 0) >= 120, 15_000);
    const first = await startCollector({ db, listen: `mqtt://127.0.0.1:${port}`, log });
    await waitTightly("replay under way", () => first.ingest.metrics.stored >= 20);
    await first.close();
    const killedWith = agent.outbox?.stats.messages ?? 0;
    expect(killedWith).toBeGreaterThan(0);
    await waitFor(
      "more queued during the outage",
      () => (agent.outbox?.stats.messages ?? 0) >= killedWith + 20,
    );
    const second = await startCollector({ db, listen: `mqtt://127.0.0.1:${port}`, log });
    cleanups.push(() => second.close());
    await waitFor("reconnected", () => agent.publisher?.connected);
    state.frozen = true;
    const produced = state.version;
    await waitFor("outbox drained", () => agent.outbox?.stats.messages === 0, 15_000);

    const queued = agent.outbox?.stats.appended ?? 0;
    expect(queued).toBeGreaterThanOrEqual(140);
    expect(first.ingest.metrics.deleted.released + second.ingest.metrics.deleted.released).toBe(queued - 1);
    expect(storedLeases(second)).toEqual([{ ip: leaseFor(produced).ip }]);
    expect(second.ingest.metrics.stored).toBeGreaterThan(0);
    const health = agent.health();
    expect(health).toMatchObject({ dropped: 0, outboxMessages: 0, connections: 2 });
    expect(health.failed).toBeGreaterThan(0);
    expect(health.published).toBeGreaterThanOrEqual(queued);

    // The retained state carries the health of the agent, its version and its sources.
    const observer = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "observer" });
    cleanups.push(() => observer.endAsync());
    const retained = new Promise<Record<string, unknown>>((resolve) =>
      observer.on("message", (_topic, payload) => resolve(JSON.parse(payload.toString()))),
    );
    await observer.subscribeAsync(`leaseline/v1/${GATEWAY}/state`, { qos: 1 });
    expect(await retained).toMatchObject({
      online: true,
      agentVersion: "test",
      health: { sources: [{ source: "dnsmasq", status: "ok", records: 1 }] },
    });
  });

  it("outbox full while the broker is away: oldest dropped and counted, disk bounded, the rest delivered", async () => {
    const dir = tempDir("outbox-full");
    cleanups.push(dir.remove);
    const db = join(dir.path, "collector.db");
    const port = await freePort(db);
    const limit = 64 * 1024;
    const { state, provider } = changingSource(6);
    const agent = newAgent(dir.path, provider, port, { outboxMaxBytes: limit });
    await agent.start();
    await waitFor("oldest messages dropped", () => agent.health().dropped >= 20, 15_000);
    const outbox = agent.outbox?.stats;
    expect(outbox?.bytes).toBeLessThanOrEqual(limit);
    expect((agent.outbox as Outbox).segmentCount).toBeLessThanOrEqual(9);

    const collector = await startCollector({ db, listen: `mqtt://127.0.0.1:${port}`, log });
    cleanups.push(() => collector.close());
    await waitFor("reconnected", () => agent.publisher?.connected, 10_000);
    state.frozen = true;
    const produced = state.version;
    await waitFor("outbox drained", () => agent.outbox?.stats.messages === 0, 15_000);
    const { dropped } = agent.health();
    const queued = agent.outbox?.stats.appended ?? 0;
    // What survived is the newest, contiguous run: each of those after the first released one lease.
    expect(collector.ingest.metrics.deleted.released).toBe(queued - dropped - 1);
    expect(storedLeases(collector)).toEqual([{ ip: leaseFor(produced).ip }]);
  });
  it("a new boot id under a running agent: it reconnects, so the retained state and the will carry it", async () => {
    const dir = tempDir("reboot");
    cleanups.push(dir.remove);
    const collector = await startCollector({
      db: join(dir.path, "collector.db"),
      listen: "mqtt://127.0.0.1:0",
      log,
    });
    cleanups.push(() => collector.close());
    const agent = newAgent(dir.path, changingSource().provider, collector.broker.port);
    await agent.start();
    await waitFor("first boot stored", () => collector.ingest.metrics.stored >= 3);
    const newBoot = "6f1c2d3e-0000-4000-8000-00000000cafe";
    writeBootId(join(dir.path, "gateway"), newBoot);
    await waitFor("reconnected with the new boot", () => agent.health().connections === 2);
    const row = () =>
      collector.store.db
        .prepare("SELECT boot_id AS bootId, online FROM gateways WHERE gateway_id = ?")
        .get(GATEWAY);
    await waitFor("the collector holds the new boot, online", () => {
      const r = row() as { bootId: string; online: number } | undefined;
      return r?.bootId === newBoot && r.online === 1;
    });
    expect(collector.ingest.metrics.deleted.reset).toBe(1);
  });

  it("numbers stay above the queued ones even when the sequence file is lost", async () => {
    const dir = tempDir("seq-lost");
    cleanups.push(dir.remove);
    const port = await freePort(join(dir.path, "collector.db"));
    const first = newAgent(dir.path, changingSource().provider, port);
    await first.start();
    await waitFor("messages queued", () => (first.outbox?.stats.messages ?? 0) >= 5);
    await first.stop();
    rmSync(join(dir.path, "state", `${GATEWAY}.seq.json`));
    const second = newAgent(dir.path, changingSource().provider, port);
    await second.start();
    await waitFor("more queued", () => (second.outbox?.stats.appended ?? 0) >= 3);
    await second.stop();
    const outbox = Outbox.open(join(dir.path, "state", "outbox", GATEWAY), { maxBytes: 1 << 20 });
    cleanups.push(() => outbox.close());
    const seqs: number[] = [];
    for (let e = outbox.take(); e; e = outbox.take()) seqs.push(JSON.parse(e.payload.toString()).seq);
    expect(seqs.length).toBeGreaterThanOrEqual(8);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
