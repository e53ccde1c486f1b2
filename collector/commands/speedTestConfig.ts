/**
 * The collector's speed-test settings: where gateways reach the test server, and the bounds one
 * test may use. The test server is the collector's own HTTP server under `/speedtest`; its URL as
 * gateways see it is `--speedtest-url`, or derived from `--http` when that names one address.
 */
import { MAX_SPEEDTEST_BYTES, MAX_SPEEDTEST_SECONDS } from "../../protocol/index.js";
import type { HttpListen } from "../http/httpServer.js";

/** Where the collector's HTTP server serves `ping`, `download` and `upload`. */
export const SPEEDTEST_PATH = "/speedtest";

export interface SpeedTestBounds {
  /** Bytes one test downloads at most (and uploads, below). */
  downloadBytes: number;
  uploadBytes: number;
  /** Seconds each direction runs at most. */
  maxSeconds: number;
}

/** A metered or slow line pays for at most this much per test; a fast line fills 10 s at ~20 Mbit/s. */
export const DEFAULT_SPEEDTEST_BOUNDS: SpeedTestBounds = {
  downloadBytes: 25 * 1024 * 1024,
  uploadBytes: 10 * 1024 * 1024,
  maxSeconds: 10,
};

/**
 * Besides both directions' time: a few ping rounds, connection set-up, and publishing the result
 * through the agent's outbox and the broker. A test unanswered after this is failed.
 */
export const ANSWER_MARGIN_MS = 15_000;

/** The bounds, checked against the protocol's limits; errors name the collector's flags. */
export function checkSpeedTestBounds(bounds: SpeedTestBounds): SpeedTestBounds {
  const errors: string[] = [];
  for (const [flag, value] of [
    ["--speedtest-download", bounds.downloadBytes],
    ["--speedtest-upload", bounds.uploadBytes],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_SPEEDTEST_BYTES)
      errors.push(`${flag}: expected 0 to ${MAX_SPEEDTEST_BYTES} bytes, got ${value}`);
  }
  if (!(bounds.maxSeconds >= 1 && bounds.maxSeconds <= MAX_SPEEDTEST_SECONDS))
    errors.push(`--speedtest-seconds: expected 1 to ${MAX_SPEEDTEST_SECONDS}, got ${bounds.maxSeconds}`);
  if (errors.length > 0) throw new Error(errors.join("; "));
  return bounds;
}

/** How long the collector waits for a test's result before failing it. */
export function answerWithinMs(bounds: SpeedTestBounds): number {
  return bounds.maxSeconds * 2 * 1000 + ANSWER_MARGIN_MS;
}

/** Checks `--speedtest-url`: an http(s) base URL without query or fragment; returns it without a trailing slash. */
export function parseSpeedTestUrl(value: string, flag = "--speedtest-url"): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `${flag}: ${JSON.stringify(value)} is not a URL; expected e.g. http://collector.example:9464${SPEEDTEST_PATH}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`${flag}: use http:// or https://, not ${url.protocol}`);
  if (url.username || url.password) throw new Error(`${flag}: do not put credentials in the URL`);
  if (url.search || url.hash) throw new Error(`${flag}: a base URL has no query or fragment`);
  const text = url.toString().replace(/\/+$/, "");
  if (/\s/.test(text) || text.length > 2048) throw new Error(`${flag}: not a usable URL`);
  return text;
}

/** Addresses that mean "every interface": no gateway can be told to connect to them. */
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"]);

/**
 * The test server's URL for gateways: the configured one, else `http://<--http host>:<port>/speedtest`.
 * A wildcard listen address names no host a gateway could use: then a sentence saying how to fix it.
 */
export function speedTestUrlFor(
  configured: string | undefined,
  listen: HttpListen | null,
): { url: string } | { problem: string } {
  if (configured !== undefined) return { url: configured };
  if (listen === null)
    return {
      problem:
        "speed tests need the collector's HTTP server (its test endpoint), and --http is off; start the collector with --http HOST:PORT",
    };
  if (WILDCARD_HOSTS.has(listen.host))
    return {
      problem: `--http listens on ${listen.host}, which is no address a gateway can connect to; start the collector with --speedtest-url http://<address gateways reach>:${listen.port}${SPEEDTEST_PATH}`,
    };
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return { url: `http://${host}:${listen.port}${SPEEDTEST_PATH}` };
}
