/**
 * Download throughput: `GET /download?bytes=N`, read until N bytes arrived, the server ended, or
 * the time bound passed. Payload bits over the time from the first byte of the answer to the
 * last byte read; a download stopped by the time bound is a measurement, not an error.
 */
import { performance } from "node:perf_hooks";
import { boundedRequest, type SpeedTestSession, succeeded } from "./httpSession.js";
import { bitsPerSecond } from "./throughput.js";

export interface TransferMeasurement {
  bytes: number;
  seconds: number | null;
  bitsPerSecond: number | null;
}

export function measureDownload(
  session: SpeedTestSession,
  url: URL,
  maxBytes: number,
  maxMs: number,
  signal?: AbortSignal,
): Promise<TransferMeasurement> {
  const req = session.request(url, "GET");
  let answeredAt: number | null = null;
  let lastAt: number | null = null;
  let bytes = 0;
  const measured = (): TransferMeasurement => {
    const seconds = answeredAt !== null && lastAt !== null ? (lastAt - answeredAt) / 1000 : null;
    return { bytes, seconds, bitsPerSecond: bitsPerSecond(bytes, seconds) };
  };
  return boundedRequest<TransferMeasurement>(
    req,
    {
      deadlineMs: maxMs,
      signal,
      onDeadline: () => (bytes > 0 ? measured() : new Error(`no data within ${maxMs / 1000} s`)),
    },
    (finish) => {
      req.on("response", (res) => {
        if (!succeeded(res)) return;
        answeredAt = performance.now();
        // A server that says it sends exactly N bytes ends right after them: let it, and keep the connection.
        const endsAtLimit = Number(res.headers["content-length"]) === maxBytes;
        res.on("data", (chunk: Buffer) => {
          if (bytes >= maxBytes) return;
          bytes += Math.min(chunk.length, maxBytes - bytes);
          lastAt = performance.now();
          if (bytes >= maxBytes && !endsAtLimit) finish(measured());
        });
        res.on("end", () => finish(measured(), true));
      });
      req.end();
    },
  );
}
