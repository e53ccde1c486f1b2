/**
 * The speed-test server on a real HTTP server on loopback: tokens (none, wrong, revoked, lapsed),
 * byte budgets per direction, the time bound against a client that stops reading, and streaming
 * without holding a transfer's bytes in memory.
 */
import { request as httpRequest } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { waitFor } from "../../test/helpers.js";
import { type HttpServer, startHttpServer } from "./httpServer.js";
import { mountSpeedTestEndpoint } from "./speedTestEndpoint.js";
import { type SpeedTestGrant, SpeedTestGrants } from "./speedTestGrants.js";

const MiB = 1024 * 1024;

describe("speed-test endpoint", () => {
  let http: HttpServer;
  let base: string;
  const grants = new SpeedTestGrants();
  let n = 0;
  const grant = (overrides: Partial<SpeedTestGrant> = {}): SpeedTestGrant => {
    const g: SpeedTestGrant = {
      token: `token-${++n}-0123456789abcdef`,
      gatewayId: "gw-1",
      testId: `test-${n}`,
      downloadBytes: 4 * MiB,
      uploadBytes: 2 * MiB,
      maxSeconds: 10,
      validForMs: 60_000,
      ...overrides,
    };
    grants.add(g);
    return g;
  };
  const auth = (g: SpeedTestGrant) => ({ authorization: `Bearer ${g.token}` });

  beforeAll(async () => {
    http = await startHttpServer({ host: "127.0.0.1", port: 0 }, silentLogger());
    mountSpeedTestEndpoint(http, grants, silentLogger());
    base = `http://127.0.0.1:${http.port}/speedtest`;
  });
  afterAll(async () => {
    await http.close();
  });

  it("401 without a token, with a wrong one, after a revoke and after the grant lapsed", async () => {
    const g = grant();
    expect((await fetch(`${base}/ping`)).status).toBe(401);
    const wrong = await fetch(`${base}/ping`, {
      headers: { authorization: "Bearer not-a-granted-token-xyz" },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/speed-test token/);
    const ok = await fetch(`${base}/ping`, { headers: auth(g) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("pong\n");
    grants.revoke(g.token);
    expect((await fetch(`${base}/ping`, { headers: auth(g) })).status).toBe(401);
    const short = grant({ validForMs: 100 });
    expect((await fetch(`${base}/ping`, { headers: auth(short) })).status).toBe(200);
    await waitFor(
      "the grant to lapse",
      async () => (await fetch(`${base}/ping`, { headers: auth(short) })).status === 401,
    );
    // The API's tokens are no speed-test tokens and the other way round: only granted ones work.
    expect((await fetch(`${base}/download?bytes=1`, { headers: auth(g) })).status).toBe(401);
    expect((await fetch(`${base}/upload`, { method: "POST", headers: auth(g), body: "x" })).status).toBe(401);
  });

  it("downloads exactly the bytes asked for, random and incompressible, within the test's budget", async () => {
    const g = grant();
    const response = await fetch(`${base}/download?bytes=${3 * MiB + 17}`, { headers: auth(g) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(3 * MiB + 17));
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(3 * MiB + 17);
    const first = body.subarray(0, MiB);
    expect(gzipSync(first).length).toBeGreaterThan(first.length * 0.99);
    expect(new Set(first.subarray(0, 4096)).size).toBeGreaterThan(200);
    // 1 MiB - 17 left of the 4 MiB budget.
    const over = await fetch(`${base}/download?bytes=${MiB}`, { headers: auth(g) });
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: string }).error).toMatch(
      /more than this test may still download \(1048559 of 4194304\)/,
    );
    const rest = await fetch(`${base}/download?bytes=${MiB - 17}`, { headers: auth(g) });
    expect((await rest.arrayBuffer()).byteLength).toBe(MiB - 17);
    for (const bad of ["-1", "abc", "1e6", ""])
      expect((await fetch(`${base}/download?bytes=${bad}`, { headers: auth(g) })).status, bad).toBe(400);
  });

  it("reads an upload without keeping it, answers bytes and server-side seconds, refuses beyond the budget", async () => {
    const g = grant();
    const ok = await fetch(`${base}/upload`, {
      method: "POST",
      headers: auth(g),
      body: Buffer.alloc(MiB + 5, 1),
    });
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as { bytes: number; seconds: number };
    expect(answer.bytes).toBe(MiB + 5);
    expect(answer.seconds).toBeGreaterThan(0);
    expect(answer.seconds).toBeLessThan(10);
    // Declared too large: refused before a byte is read.
    const declared = await fetch(`${base}/upload`, {
      method: "POST",
      headers: auth(g),
      body: Buffer.alloc(MiB, 1),
    });
    expect(declared.status).toBe(413);
    // Undeclared (chunked) and too large: refused once the budget is passed.
    const chunks = async function* () {
      for (let i = 0; i < 8; i++) yield Buffer.alloc(256 * 1024, 2);
    };
    const chunked = await fetch(`${base}/upload`, {
      method: "POST",
      headers: auth(g),
      body: ReadableStream.from(chunks()),
      duplex: "half",
    } as RequestInit).then(
      (r) => r.status,
      () => "connection closed",
    );
    expect([413, "connection closed"]).toContain(chunked);
  });

  it("stops a download at the test's time bound when the client stops reading", async () => {
    const g = grant({ downloadBytes: 512 * MiB, maxSeconds: 1 });
    const active = grants.authorize(`Bearer ${g.token}`);
    const started = Date.now();
    const req = httpRequest(`${base}/download?bytes=${512 * MiB}`, { headers: auth(g) }, (response) => {
      response.pause(); // never read: the server's writes stall
    });
    req.on("error", () => undefined);
    req.end();
    await waitFor("the download to be reserved", () => active?.left.download === 0, 5000);
    // The server gives up on the stalled transfer and returns what it did not send to the budget.
    await waitFor("the server to stop the download", () => (active?.left.download ?? 0) > 0, 10_000);
    const stoppedAfter = Date.now() - started;
    req.destroy();
    // 1 s bound plus the 5 s grace, not the minutes a stalled reader could otherwise hold it.
    expect(stoppedAfter).toBeGreaterThanOrEqual(1000);
    expect(stoppedAfter).toBeLessThan(8000);
  }, 15_000);

  it("streams 256 MiB without holding it in memory", async () => {
    const g = grant({ downloadBytes: 256 * MiB, uploadBytes: 256 * MiB });
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    }, 5);
    const response = await fetch(`${base}/download?bytes=${256 * MiB}`, { headers: auth(g) });
    let bytes = 0;
    for await (const chunk of response.body as ReadableStream<Uint8Array>) bytes += chunk.byteLength;
    const piece = Buffer.alloc(MiB, 3);
    const upload = await fetch(`${base}/upload`, {
      method: "POST",
      headers: auth(g),
      body: ReadableStream.from(
        (async function* () {
          for (let i = 0; i < 256; i++) yield piece;
        })(),
      ),
      duplex: "half",
    } as RequestInit);
    const answer = (await upload.json()) as { bytes: number };
    clearInterval(sample);
    expect(bytes).toBe(256 * MiB);
    expect(answer.bytes).toBe(256 * MiB);
    expect(peak).toBeLessThan(64 * MiB);
  }, 30_000);
});
