/**
 * The speed-test server gateways measure against (protocol/commands.ts), on the collector's HTTP
 * server: `GET /speedtest/ping`, `GET /speedtest/download?bytes=N` (N bytes of random data) and
 * `POST /speedtest/upload` (read and discarded; answers the bytes received and the server-side
 * duration). Every request needs the bearer token of a test in progress (speedTestGrants.ts).
 * Nothing is buffered: downloads repeat one random block, uploads are counted as they stream by,
 * and both stop at the test's byte budget, its time bound, or the moment its token ends.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../common/logger.js";
import { SPEEDTEST_PATH } from "../commands/speedTestConfig.js";
import type { HttpServer } from "./httpServer.js";
import type { ActiveGrant, SpeedTestGrants } from "./speedTestGrants.js";

/**
 * Random bytes sent over and over: larger than any HTTP compressor's or WAN optimiser's usual
 * window, so the repetition cannot be squeezed out, and generated once per worker.
 */
const BLOCK_BYTES = 1024 * 1024;
/** One write: big enough for throughput, small enough that a stop takes effect quickly. */
const SLICE_BYTES = 64 * 1024;
/** A transfer may run this much past the test's per-direction time bound (connection set-up, a slow start). */
const TRANSFER_GRACE_MS = 5000;

let block: Buffer | undefined;
const randomBlock = (): Buffer => {
  block ??= randomBytes(BLOCK_BYTES);
  return block;
};

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response
    .writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    .end(`${JSON.stringify(body)}\n`);
}

/** Resolves when the response can take more, is gone, or the deadline has come (a reader that stalls). */
function drained(response: ServerResponse, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(deadline - Date.now(), 0));
    response.on("drain", done);
    response.on("close", done);
  });
}

export function mountSpeedTestEndpoint(
  http: HttpServer,
  grants: SpeedTestGrants,
  log: Pick<Logger, "info" | "warn">,
): void {
  const authorized = (request: IncomingMessage, response: ServerResponse): ActiveGrant | null => {
    const active = grants.authorize(request.headers.authorization);
    if (!active) {
      // An upload's body is not read: the connection goes with the answer.
      response.setHeader("connection", "close");
      sendJson(response, 401, {
        error: "a valid speed-test token is required (Authorization: Bearer <token of a test in progress>)",
      });
    }
    return active;
  };
  // The server's own figures for each transfer, so an agent's reported throughput can be checked
  // against what the test server saw (and a disputed result looked into).
  const logTransfer = (
    active: ActiveGrant,
    direction: "download" | "upload",
    bytes: number,
    startedAt: number,
    complete: boolean,
  ) =>
    log.info(
      {
        gatewayId: active.grant.gatewayId,
        testId: active.grant.testId,
        direction,
        bytes,
        seconds: (performance.now() - startedAt) / 1000,
        complete,
      },
      "speed-test transfer",
    );
  const deadlineOf = (active: ActiveGrant): number =>
    Math.min(active.expiresAt, Date.now() + active.grant.maxSeconds * 1000 + TRANSFER_GRACE_MS);

  http.route("GET", `${SPEEDTEST_PATH}/ping`, (request, response) => {
    if (!authorized(request, response)) return;
    response
      .writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
      .end("pong\n");
  });

  http.route("GET", `${SPEEDTEST_PATH}/download`, async (request, response) => {
    const active = authorized(request, response);
    if (!active) return;
    const raw = new URL(request.url ?? "/", "http://collector").searchParams.get("bytes") ?? "";
    if (!/^\d{1,10}$/.test(raw)) {
      sendJson(response, 400, {
        error: `bytes: expected a whole number of bytes, got ${JSON.stringify(raw.slice(0, 40))}`,
      });
      return;
    }
    const bytes = Number(raw);
    if (bytes > active.left.download) {
      sendJson(response, 413, {
        error: `bytes: ${bytes} is more than this test may still download (${active.left.download} of ${active.grant.downloadBytes})`,
      });
      return;
    }
    active.left.download -= bytes;
    response.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": String(bytes),
      "cache-control": "no-store",
    });
    const data = randomBlock();
    const deadline = deadlineOf(active);
    const started = performance.now();
    let sent = 0;
    let offset = 0;
    while (sent < bytes && !response.destroyed) {
      if (!grants.isValid(active) || Date.now() >= deadline) break;
      const size = Math.min(SLICE_BYTES, bytes - sent);
      if (offset + size > data.length) offset = 0;
      const more = response.write(data.subarray(offset, offset + size));
      offset += size;
      sent += size;
      if (!more) await drained(response, deadline);
    }
    if (sent < bytes || response.destroyed) {
      // Cut short (client gone, token ended, time bound): what was not sent goes back to the budget,
      // and the connection is closed because the promised length was not delivered.
      active.left.download += bytes - sent;
      response.destroy();
      logTransfer(active, "download", sent, started, false);
      return;
    }
    response.end();
    logTransfer(active, "download", sent, started, true);
  });

  http.route("POST", `${SPEEDTEST_PATH}/upload`, async (request, response) => {
    const active = authorized(request, response);
    if (!active) return;
    const declared = Number(request.headers["content-length"] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > active.left.upload) {
      response.setHeader("connection", "close");
      sendJson(response, 413, {
        error: `the body (${declared} bytes) is more than this test may still upload (${active.left.upload} of ${active.grant.uploadBytes})`,
      });
      return;
    }
    const started = performance.now();
    const deadline = deadlineOf(active);
    let received = 0;
    const outcome: { refusal: { status: number; error: string } | null } = { refusal: null };
    const ended = await new Promise<boolean>((resolve) => {
      // A client that stops sending is stopped too, at the same bound.
      const timer = setTimeout(
        () => {
          outcome.refusal = {
            status: 408,
            error: `the upload ran past the test's ${active.grant.maxSeconds} s bound`,
          };
          request.pause();
          finish(false);
        },
        Math.max(deadline - Date.now(), 0),
      );
      const finish = (complete: boolean) => {
        clearTimeout(timer);
        request.off("data", onData);
        request.off("end", onEnd);
        request.off("close", onClose);
        resolve(complete);
      };
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        active.left.upload -= chunk.length;
        if (active.left.upload < 0) {
          outcome.refusal = {
            status: 413,
            error: `more than this test may upload (${active.grant.uploadBytes} bytes)`,
          };
        } else if (!grants.isValid(active)) {
          outcome.refusal = { status: 401, error: "the test's token ended during the upload" };
        } else if (Date.now() >= deadline) {
          outcome.refusal = {
            status: 408,
            error: `the upload ran past the test's ${active.grant.maxSeconds} s bound`,
          };
        }
        if (outcome.refusal) {
          request.pause();
          finish(false);
        }
      };
      const onEnd = () => finish(true);
      const onClose = () => finish(false);
      request.on("data", onData);
      request.on("end", onEnd);
      request.on("close", onClose);
    });
    if (outcome.refusal) {
      const { status, error } = outcome.refusal;
      active.left.upload = Math.max(active.left.upload, 0);
      response.setHeader("connection", "close");
      response.once("finish", () => request.destroy());
      sendJson(response, status, { error, bytes: received });
      return;
    }
    if (!ended) {
      logTransfer(active, "upload", received, started, false);
      return;
    }
    logTransfer(active, "upload", received, started, true);
    const seconds = (performance.now() - started) / 1000;
    sendJson(response, 200, { bytes: received, seconds });
  });
}
