/**
 * One speed test as the collector asked for it (protocol/commands.ts): the round trip, then the
 * download, then the upload, each bounded (pings by PING_TIMEOUT_MS, each direction by the
 * request's maxSeconds and its byte count), so a test ends within
 * PING_COUNT × PING_TIMEOUT_MS + 2 × maxSeconds whatever the server does. A failure ends the
 * test with an error naming its phase and keeps what was measured before it; it never throws.
 */
import type { SpeedTestRequest, SpeedTestResult } from "../../protocol/index.js";
import { SpeedTestSession } from "./httpSession.js";
import { measureDownload } from "./measureDownload.js";
import { measureRtt, PING_TIMEOUT_MS } from "./measureRtt.js";
import { measureUpload } from "./measureUpload.js";
import { endpointUrl, serverLabel } from "./testServerUrls.js";

/** The result without its envelope (gateway, boot, sequence, time): the agent adds it when queuing. */
export type SpeedTestOutcome = Omit<
  SpeedTestResult,
  "v" | "type" | "gatewayId" | "bootId" | "seq" | "collectedAt"
>;

export interface SpeedTestOptions {
  testId: string;
  request: SpeedTestRequest;
  /** --speedtest-url: the provider's own test server instead of the request's (the request's token is kept). */
  urlOverride?: string | undefined;
  /** Extra CA certificates for an https test server. */
  ca?: Buffer | undefined;
  signal?: AbortSignal | undefined;
  connectTimeoutMs?: number;
}

/** A result that measured nothing: refused, or failed before the first phase. */
export function failedOutcome(testId: string, server: string | null, error: string): SpeedTestOutcome {
  return { ...emptyOutcome(testId, server), error };
}

function emptyOutcome(testId: string, server: string | null): SpeedTestOutcome {
  return {
    testId,
    server,
    downloadBitsPerSecond: null,
    uploadBitsPerSecond: null,
    rttMs: null,
    downloadBytes: 0,
    uploadBytes: 0,
    downloadSeconds: null,
    uploadSeconds: null,
    error: null,
  };
}

/** The test server's base URL: the override when configured, else the request's. */
export function testServerBase(request: SpeedTestRequest, urlOverride?: string): URL | null {
  try {
    return new URL(urlOverride ?? request.url);
  } catch {
    return null;
  }
}

export async function runSpeedTest(options: SpeedTestOptions): Promise<SpeedTestOutcome> {
  const { request, signal } = options;
  const base = testServerBase(request, options.urlOverride);
  if (!base) return failedOutcome(options.testId, null, "the test server URL cannot be parsed");
  const outcome = emptyOutcome(options.testId, serverLabel(base));
  const maxMs = request.maxSeconds * 1000;
  const session = new SpeedTestSession({
    base,
    token: request.token,
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  let phase = "round trip";
  try {
    outcome.rttMs = round(
      await measureRtt(session, endpointUrl(base, "ping"), Math.min(PING_TIMEOUT_MS, maxMs), signal),
      2,
    );
    if (request.downloadBytes > 0) {
      phase = "download";
      const url = endpointUrl(base, "download", request.downloadBytes);
      const down = await measureDownload(session, url, request.downloadBytes, maxMs, signal);
      outcome.downloadBytes = down.bytes;
      outcome.downloadSeconds = roundOrNull(down.seconds, 3);
      outcome.downloadBitsPerSecond = roundOrNull(down.bitsPerSecond, 0);
    }
    if (request.uploadBytes > 0) {
      phase = "upload";
      const url = endpointUrl(base, "upload");
      const up = await measureUpload(session, url, request.uploadBytes, maxMs, signal);
      outcome.uploadBytes = up.bytes;
      outcome.uploadSeconds = roundOrNull(up.seconds, 3);
      outcome.uploadBitsPerSecond = roundOrNull(up.bitsPerSecond, 0);
    }
  } catch (error) {
    outcome.error = `${phase}: ${(error as Error).message}`;
  } finally {
    session.close();
  }
  return outcome;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function roundOrNull(value: number | null, digits: number): number | null {
  return value === null ? null : round(value, digits);
}
