/**
 * The collector's HTTP server: /metrics in Prometheus text format with the figures ingest and
 * the broker counted, 404 and 405 elsewhere, and the --http address syntax.
 */
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { topicFor } from "../../protocol/index.js";
import { tempDir } from "../../test/helpers.js";
import { lease, snapshot } from "../../test/messages.js";
import { type Collector, startCollector } from "../runCollector.js";
import { parseHttpListen } from "./httpServer.js";

/** The value of one sample line, e.g. `name{reason="x"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics", () => {
  const dir = tempDir("metrics");
  let collector: Collector;
  let base: string;

  beforeAll(async () => {
    collector = await startCollector({
      db: join(dir.path, "c.db"),
      listen: "mqtt://127.0.0.1:0",
      http: { host: "127.0.0.1", port: 0 },
      log: silentLogger(),
    });
    base = `http://127.0.0.1:${collector.http?.port}`;
  });
  afterAll(async () => {
    await collector.close();
    dir.remove();
  });

  it("counts received, stored, rejected by reason, latency, deletions and connected clients", async () => {
    const client = await connectAsync(`mqtt://127.0.0.1:${collector.broker.port}`, {
      clientId: "gw-1",
      reconnectPeriod: 0,
    });
    const topic = topicFor("gw-1", "snapshot");
    const two = [lease(), lease({ ip: "192.168.1.2", mac: "b8:27:eb:12:34:56" })];
    await client.publishAsync(topic, JSON.stringify(snapshot({ seq: 1, leases: two })), { qos: 1 });
    await client.publishAsync(topic, JSON.stringify(snapshot({ seq: 2, leases: [lease()] })), { qos: 1 });
    await client.publishAsync(topic, JSON.stringify(snapshot({ seq: 2 })), { qos: 1 });
    await client.publishAsync(topic, "{not json", { qos: 1 });

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, "leaseline_messages_received_total")).toBe(4);
    expect(sample(text, "leaseline_messages_stored_total")).toBe(2);
    expect(sample(text, "leaseline_messages_duplicate_total")).toBe(1);
    expect(sample(text, 'leaseline_messages_rejected_total{reason="not-json"}')).toBe(1);
    expect(sample(text, 'leaseline_messages_rejected_total{reason="schema"}')).toBe(0);
    expect(sample(text, 'leaseline_leases_deleted_total{reason="released"}')).toBe(1);
    expect(sample(text, "leaseline_ingest_latency_seconds_count")).toBe(3);
    expect(sample(text, 'leaseline_ingest_latency_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(sample(text, "leaseline_broker_connected_clients")).toBe(1);
    expect(sample(text, "leaseline_leases")).toBe(1);
    expect(sample(text, "leaseline_gateways")).toBe(1);
    expect(text).toContain("# TYPE leaseline_ingest_latency_seconds histogram");
    await client.endAsync();
  });

  it("answers 404 for unknown paths and 405 for other methods", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
  });
});

describe("--http", () => {
  it("parses HOST:PORT, [IPv6]:PORT and off", () => {
    expect(parseHttpListen("127.0.0.1:9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(parseHttpListen("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseHttpListen("off")).toBeNull();
    for (const bad of ["9464", "::1:80", "host:", "host:99999", "http://x:1"])
      expect(() => parseHttpListen(bad), bad).toThrow(/--http: expected HOST:PORT/);
  });
});
