/**
 * The round trip to the test server: a few `GET /ping` one after the other, each timed from the
 * request to the first byte of its answer, and their median. The first sample also pays for
 * the connection set-up; the median leaves it out.
 */
import { performance } from "node:perf_hooks";
import { boundedRequest, type SpeedTestSession, succeeded } from "./httpSession.js";
import { median } from "./throughput.js";

export const PING_COUNT = 5;
/** One ping that takes longer than this fails the test: the server is as good as unreachable. */
export const PING_TIMEOUT_MS = 5000;

export async function measureRtt(
  session: SpeedTestSession,
  url: URL,
  timeoutMs: number,
  signal?: AbortSignal,
  count = PING_COUNT,
): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await ping(session, url, timeoutMs, signal));
  return median(samples) as number;
}

function ping(session: SpeedTestSession, url: URL, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  const req = session.request(url, "GET");
  const startedAt = performance.now();
  return boundedRequest<number>(
    req,
    {
      deadlineMs: timeoutMs,
      signal,
      onDeadline: () => new Error(`no answer to ping within ${timeoutMs} ms`),
    },
    (finish) => {
      req.on("response", (res) => {
        const rttMs = performance.now() - startedAt;
        if (!succeeded(res)) return;
        // Read the (small) body to its end so the connection can carry the next request.
        res.resume();
        res.on("end", () => finish(rttMs, true));
      });
      req.end();
    },
  );
}
