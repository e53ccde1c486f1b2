/**
 * The speed test against a real HTTP server on loopback that paces both directions to a known
 * rate and measures each transfer on its own side: the agent's figures must agree with the
 * server's within 20% (the requirement), and every bound must hold.
 */
import { createServer, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../common/loopbackPorts.js";
import type { SpeedTestRequest } from "../../protocol/index.js";
import { runSpeedTest } from "./runSpeedTest.js";
import {
  combinedBitsPerSecond,
  startThrottledTestServer,
  type ThrottledTestServer,
} from "./throttledTestServer.js";

const TOKEN = "t0k3n-0123456789abcdef";
const MBIT = 1_000_000;

function request(url: string, overrides: Partial<SpeedTestRequest> = {}): SpeedTestRequest {
  return { url, token: TOKEN, downloadBytes: 0, uploadBytes: 0, maxSeconds: 10, ...overrides };
}

function within(measured: number | null, reference: number | null, tolerance: number): boolean {
  if (measured === null || reference === null) return false;
  return Math.abs(measured - reference) <= tolerance * reference;
}

describe("runSpeedTest", () => {
  const servers: ThrottledTestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  async function server(bitsPerSecond: number, pingDelayMs = 0) {
    const s = await startThrottledTestServer({ bitsPerSecond, token: TOKEN, pingDelayMs });
    servers.push(s);
    return s;
  }

  it("download and upload at 40 Mbit/s agree with the server's own measurement within 20%", async () => {
    const s = await server(40 * MBIT, 15);
    const bytes = 8 * 1024 * 1024;
    const result = await runSpeedTest({
      testId: "t1",
      request: request(s.url, { downloadBytes: bytes, uploadBytes: bytes }),
    });
    expect(result.error).toBeNull();
    expect(result.server).toBe(`127.0.0.1:${s.port}`);
    expect(result.downloadBytes).toBe(bytes);
    expect(result.uploadBytes).toBe(bytes);
    const [down] = s.downloads;
    expect(down?.bytes).toBe(bytes);
    expect(down?.cut).toBe(false);
    // The upload went as a few requests, all complete, together exactly the bytes asked for.
    expect(s.uploads.length).toBeLessThanOrEqual(4);
    expect(s.uploads.every((u) => !u.cut)).toBe(true);
    expect(s.uploads.reduce((sum, u) => sum + u.bytes, 0)).toBe(bytes);
    const serverUp = combinedBitsPerSecond(s.uploads);
    // The server paced at 40 Mbit/s and measured it; the agent measured the same transfers on its side.
    expect(within(down?.bitsPerSecond ?? null, 40 * MBIT, 0.1)).toBe(true);
    expect(within(serverUp, 40 * MBIT, 0.1)).toBe(true);
    expect(within(result.downloadBitsPerSecond, down?.bitsPerSecond ?? null, 0.2)).toBe(true);
    expect(within(result.uploadBitsPerSecond, serverUp, 0.2)).toBe(true);
    // Five pings, each answered after 15 ms.
    expect(s.pings).toBe(5);
    expect(result.rttMs).toBeGreaterThanOrEqual(15);
    expect(result.rttMs).toBeLessThan(100);
    expect(result.downloadSeconds).toBeGreaterThan(1.3);
    expect(result.uploadSeconds).toBeGreaterThan(1.3);
    expect(s.unauthorized).toBe(0);
  });

  it("a slow server: each direction stops at maxSeconds, with fewer bytes than asked", async () => {
    const s = await server(8 * MBIT);
    const bytes = 64 * 1024 * 1024;
    const started = performance.now();
    const result = await runSpeedTest({
      testId: "t2",
      request: request(s.url, { downloadBytes: bytes, uploadBytes: bytes, maxSeconds: 1.5 }),
    });
    const elapsed = (performance.now() - started) / 1000;
    expect(result.error).toBeNull();
    expect(elapsed).toBeLessThan(3 + 0.5);
    expect(result.downloadSeconds).toBeLessThanOrEqual(1.5);
    // Up to the last answered request, which leaves at most about a quarter of the bound unused.
    expect(result.uploadSeconds).toBeLessThanOrEqual(1.5);
    expect(result.uploadSeconds).toBeGreaterThanOrEqual(0.9);
    expect(result.downloadBytes).toBeGreaterThan(0);
    expect(result.downloadBytes).toBeLessThan(2 * 1024 * 1024);
    expect(result.uploadBytes).toBeLessThan(bytes);
    // 8 Mbit/s for 1.5 s is 1.5 MB; what the agent read cannot exceed what the server sent.
    await waitUntil(() => s.active === 0);
    const [down] = s.downloads;
    expect(down?.cut).toBe(true);
    expect(result.downloadBytes).toBeLessThanOrEqual(down?.bytes ?? 0);
    expect(within(result.downloadBitsPerSecond, down?.bitsPerSecond ?? null, 0.2)).toBe(true);
    // The upload request running at the bound was cut; only the answered ones count, on both sides.
    expect(s.uploads.at(-1)?.cut).toBe(true);
    const answered = s.uploads.filter((u) => !u.cut);
    expect(result.uploadBytes).toBe(answered.reduce((sum, u) => sum + u.bytes, 0));
    expect(within(result.uploadBitsPerSecond, combinedBitsPerSecond(s.uploads), 0.2)).toBe(true);
    expect(within(result.uploadBitsPerSecond, 8 * MBIT, 0.2)).toBe(true);
  });

  it("nothing listening: a result with an error, at once", async () => {
    const port = await freePort();
    const started = performance.now();
    const result = await runSpeedTest({
      testId: "t3",
      request: request(`http://127.0.0.1:${port}`, { downloadBytes: 1024, uploadBytes: 1024 }),
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.error).toMatch(/^round trip: .*ECONNREFUSED/);
    expect(result.rttMs).toBeNull();
    expect(result.downloadBitsPerSecond).toBeNull();
    expect(result.uploadBitsPerSecond).toBeNull();
    expect(result.downloadBytes).toBe(0);
    expect(result.server).toBe(`127.0.0.1:${port}`);
  });

  it("the token goes with every request; a wrong one is refused by the server", async () => {
    const s = await server(40 * MBIT);
    const result = await runSpeedTest({
      testId: "t4",
      request: { ...request(s.url, { downloadBytes: 1024 }), token: "wrong-token-0123456789" },
    });
    expect(result.error).toBe("round trip: the test server answered HTTP 401");
    expect(s.unauthorized).toBe(1);
    expect(s.downloads).toHaveLength(0);
  });

  it("a server that accepts and never answers: the test ends at its bound", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = performance.now();
      const result = await runSpeedTest({
        testId: "t5",
        request: request(`http://127.0.0.1:${port}`, { downloadBytes: 1024, maxSeconds: 1 }),
      });
      const elapsed = performance.now() - started;
      expect(result.error).toBe("round trip: no answer to ping within 1000 ms");
      expect(elapsed).toBeGreaterThanOrEqual(990);
      expect(elapsed).toBeLessThan(1500);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("stopping the agent aborts a running test with an error", async () => {
    const s = await server(8 * MBIT);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 400);
    const started = performance.now();
    const result = await runSpeedTest({
      testId: "t6",
      request: request(s.url, { downloadBytes: 64 * 1024 * 1024, maxSeconds: 30 }),
      signal: controller.signal,
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.error).toBe("download: stopped: the agent is shutting down");
    expect(result.rttMs).not.toBeNull();
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
