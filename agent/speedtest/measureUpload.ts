/**
 * Upload throughput: the N bytes go as a short series of `POST /upload` requests on the kept-alive
 * connection, each streamed from one reused block of random bytes (nothing compresses it, memory
 * stays at one block whatever N is) and written only as fast as the connection takes it. Only
 * bytes the server confirmed by answering count, over the time from the first request's start
 * to the last answer.
 *
 * Why not one POST of N bytes: at the time bound it must be aborted, and then nothing says how
 * much arrived. What the agent handed to the socket includes the socket buffers, on loopback or a
 * fast LAN several megabytes, seconds of a slow line (measured: 5.4 MB "sent" in 1.5 s to a
 * 1 MB/s server). The first request is small (UPLOAD_FIRST_BYTES); each next one is sized from
 * the rate so far to take about a quarter of the time bound, so a cut loses at most about a
 * quarter of the window, and a completed test pays one round trip per request (a handful).
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { boundedRequest, type SpeedTestSession, succeeded } from "./httpSession.js";
import type { TransferMeasurement } from "./measureDownload.js";
import { bitsPerSecond, nextUploadBytes } from "./throughput.js";

/** Bytes per write: large enough for few system calls, small enough to keep memory flat. */
export const UPLOAD_BLOCK_BYTES = 64 * 1024;
/** The first request: one that a 1 Mbit/s line completes in half a second. */
export const UPLOAD_FIRST_BYTES = 64 * 1024;

export async function measureUpload(
  session: SpeedTestSession,
  url: URL,
  totalBytes: number,
  maxMs: number,
  signal?: AbortSignal,
): Promise<TransferMeasurement> {
  const block = randomBytes(UPLOAD_BLOCK_BYTES);
  const startedAt = performance.now();
  let confirmed = 0;
  let confirmedAt = startedAt;
  let size = Math.min(UPLOAD_FIRST_BYTES, totalBytes);
  while (confirmed < totalBytes) {
    const leftMs = startedAt + maxMs - performance.now();
    if (leftMs <= 0) break;
    const answeredAt = await post(session, url, block, size, leftMs, signal);
    if (answeredAt === null) break; // cut at the time bound
    confirmed += size;
    confirmedAt = answeredAt;
    const elapsedSeconds = (confirmedAt - startedAt) / 1000;
    size = nextUploadBytes(
      confirmed,
      elapsedSeconds,
      maxMs / 1000,
      totalBytes - confirmed,
      UPLOAD_FIRST_BYTES,
    );
  }
  if (confirmed === 0) throw new Error(`no upload of ${size} bytes completed within ${maxMs / 1000} s`);
  const seconds = (confirmedAt - startedAt) / 1000;
  return { bytes: confirmed, seconds, bitsPerSecond: bitsPerSecond(confirmed, seconds) };
}

/** One POST of `bytes`; the time of the server's answer, or null when the deadline came first. */
function post(
  session: SpeedTestSession,
  url: URL,
  block: Buffer,
  bytes: number,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<number | null> {
  const req = session.request(url, "POST", {
    "content-type": "application/octet-stream",
    "content-length": bytes,
  });
  let written = 0;
  return boundedRequest<number | null>(req, { deadlineMs, signal, onDeadline: () => null }, (finish) => {
    const pump = () => {
      while (written < bytes && !req.destroyed) {
        const n = Math.min(block.length, bytes - written);
        written += n;
        if (!req.write(n === block.length ? block : block.subarray(0, n))) {
          req.once("drain", pump);
          return;
        }
      }
      if (written >= bytes && !req.destroyed) req.end();
    };
    req.on("response", (res) => {
      const answeredAt = performance.now();
      if (!succeeded(res)) return;
      res.resume();
      // An answer before the whole body was sent confirms nothing and leaves the connection unusable.
      res.on("end", () =>
        req.writableFinished
          ? finish(answeredAt, true)
          : finish(new Error("the test server answered before the upload was complete")),
      );
    });
    pump();
  });
}
