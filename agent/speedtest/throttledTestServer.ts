/**
 * For tests: an HTTP speed-test server on loopback that speaks the test server's contract
 * (protocol/commands.ts: `GET /ping`, `GET /download?bytes=N`, `POST /upload`, bearer token)
 * at a known rate. Each direction is paced by a byte token bucket shared by all its requests, as
 * a line would be (idle time between requests earns no more than one chunk of credit), and the
 * server measures each transfer on its own side, so a test can compare the agent's figures with
 * an independent measurement.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";

/** Bytes per paced write of a download. */
const CHUNK_BYTES = 16 * 1024;

export interface ServerTransfer {
  /** Bytes the server sent (download) or received (upload). */
  bytes: number;
  /** Bits per second on the server's side: bytes after the first chunk over first-to-last chunk time. */
  bitsPerSecond: number | null;
  seconds: number | null;
  /** performance.now() of the first and the last chunk. */
  firstAt: number | null;
  lastAt: number | null;
  firstChunkBytes: number;
  /** The transfer ended because the client went away before it was complete. */
  cut: boolean;
}

export interface ThrottledTestServerOptions {
  bitsPerSecond: number;
  token: string;
  /** Delay before each ping is answered: a known round trip to find in the result. */
  pingDelayMs?: number;
}

export interface ThrottledTestServer {
  url: string;
  port: number;
  pings: number;
  /** Requests refused for a missing or wrong token. */
  unauthorized: number;
  downloads: ServerTransfer[];
  uploads: ServerTransfer[];
  /** Transfers still running (a cut transfer ends when its socket closes). */
  active: number;
  close(): Promise<void>;
}

/** Bytes refill at `bytesPerMs` up to `burst`; a transfer takes what it moves, into debt if need be. */
class ByteBucket {
  readonly #bytesPerMs: number;
  readonly #burst: number;
  #tokens: number;
  #at = performance.now();

  constructor(bytesPerMs: number, burst: number) {
    this.#bytesPerMs = bytesPerMs;
    this.#burst = burst;
    this.#tokens = burst;
  }

  /** Takes `bytes`; how many ms the caller must wait before moving them (0 = now). */
  reserve(bytes: number): number {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#bytesPerMs);
    this.#at = now;
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : -this.#tokens / this.#bytesPerMs;
  }
}

class TransferClock {
  #firstAt: number | null = null;
  #lastAt: number | null = null;
  #firstBytes = 0;
  bytes = 0;

  add(bytes: number): void {
    const now = performance.now();
    if (this.#firstAt === null) {
      this.#firstAt = now;
      this.#firstBytes = bytes;
    }
    this.#lastAt = now;
    this.bytes += bytes;
  }

  result(cut: boolean): ServerTransfer {
    const seconds =
      this.#firstAt !== null && this.#lastAt !== null ? (this.#lastAt - this.#firstAt) / 1000 : null;
    const rate = seconds ? ((this.bytes - this.#firstBytes) * 8) / seconds : null;
    return {
      bytes: this.bytes,
      bitsPerSecond: rate,
      seconds,
      firstAt: this.#firstAt,
      lastAt: this.#lastAt,
      firstChunkBytes: this.#firstBytes,
      cut,
    };
  }
}

/**
 * The rate over several transfers (an upload is a series of requests): bytes of the completed
 * ones after the first chunk, over first to last chunk; the gaps between requests count.
 */
export function combinedBitsPerSecond(transfers: readonly ServerTransfer[]): number | null {
  const done = transfers.filter((t) => !t.cut && t.firstAt !== null && t.lastAt !== null);
  if (done.length === 0) return null;
  const first = done.reduce((a, b) => ((a.firstAt as number) <= (b.firstAt as number) ? a : b));
  const firstAt = first.firstAt as number;
  const lastAt = Math.max(...done.map((t) => t.lastAt as number));
  const bytes = done.reduce((sum, t) => sum + t.bytes, 0) - first.firstChunkBytes;
  return lastAt > firstAt ? (bytes * 8) / ((lastAt - firstAt) / 1000) : null;
}

export async function startThrottledTestServer(
  options: ThrottledTestServerOptions,
): Promise<ThrottledTestServer> {
  const bytesPerMs = options.bitsPerSecond / 8 / 1000;
  const block = randomBytes(CHUNK_BYTES);
  const state = {
    pings: 0,
    unauthorized: 0,
    downloads: [] as ServerTransfer[],
    uploads: [] as ServerTransfer[],
    active: 0,
  };

  const downstream = new ByteBucket(bytesPerMs, CHUNK_BYTES);
  const upstream = new ByteBucket(bytesPerMs, CHUNK_BYTES);

  function download(res: ServerResponse, total: number): void {
    state.active++;
    const clock = new TransferClock();
    let sent = 0;
    let done = false;
    const end = (cut: boolean) => {
      if (done) return;
      done = true;
      state.active--;
      state.downloads.push(clock.result(cut));
    };
    res.on("close", () => end(sent < total || !res.writableFinished));
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": total });
    const next = () => {
      if (done || res.destroyed) return;
      if (sent >= total) {
        res.end(() => end(false));
        return;
      }
      const n = Math.min(CHUNK_BYTES, total - sent);
      const write = () => {
        if (done || res.destroyed) return;
        sent += n;
        clock.add(n);
        if (res.write(n === CHUNK_BYTES ? block : block.subarray(0, n))) setImmediate(next);
        else res.once("drain", next);
      };
      const wait = downstream.reserve(n);
      if (wait > 0) setTimeout(write, wait);
      else write();
    };
    next();
  }

  function upload(req: IncomingMessage, res: ServerResponse): void {
    state.active++;
    const clock = new TransferClock();
    let done = false;
    const end = (cut: boolean) => {
      if (done) return;
      done = true;
      state.active--;
      state.uploads.push(clock.result(cut));
    };
    req.on("data", (chunk: Buffer) => {
      clock.add(chunk.length);
      const wait = upstream.reserve(chunk.length);
      if (wait > 0) {
        req.pause();
        setTimeout(() => req.resume(), wait);
      }
    });
    req.on("end", () => {
      end(false);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ bytes: clock.bytes }));
    });
    req.on("close", () => end(!req.complete));
    req.on("error", () => end(true));
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://test");
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      state.unauthorized++;
      res.writeHead(401).end();
      return;
    }
    if (req.method === "GET" && url.pathname === "/ping") {
      state.pings++;
      setTimeout(
        () => res.writeHead(200, { "content-type": "text/plain" }).end("pong"),
        options.pingDelayMs ?? 0,
      );
    } else if (req.method === "GET" && url.pathname === "/download") {
      download(res, Number(url.searchParams.get("bytes") ?? 0));
    } else if (req.method === "POST" && url.pathname === "/upload") {
      upload(req, res);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get pings() {
      return state.pings;
    },
    get unauthorized() {
      return state.unauthorized;
    },
    get downloads() {
      return state.downloads;
    },
    get uploads() {
      return state.uploads;
    },
    get active() {
      return state.active;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
