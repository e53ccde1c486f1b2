/**
 * The HTTP side of one speed test, on node:http and node:https alone: one keep-alive connection
 * for the whole test (the round-trip samples after the first, the download and the upload reuse
 * it, so they measure the line and not TCP and TLS set-up), the test's bearer token on every
 * request, a connect timeout, and no retries: a failed request fails the test. For an https
 * test server the agent's CA file (--ca-file) is trusted besides the system's.
 */
import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import type { Socket } from "node:net";

/** A test server that does not accept the connection within this is unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

export class HttpStatusError extends Error {
  constructor(status: number | undefined) {
    super(`the test server answered HTTP ${status ?? "?"}`);
  }
}

export class StoppedError extends Error {
  constructor() {
    super("stopped: the agent is shutting down");
  }
}

export interface SpeedTestSessionOptions {
  base: URL;
  token: string;
  ca?: Buffer;
  connectTimeoutMs?: number;
}

export class SpeedTestSession {
  readonly #https: boolean;
  readonly #agent: http.Agent;
  readonly #token: string;
  readonly #connectTimeoutMs: number;

  constructor(options: SpeedTestSessionOptions) {
    this.#https = options.base.protocol === "https:";
    this.#token = options.token;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.#agent = this.#https
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 1,
          rejectUnauthorized: true,
          ...(options.ca ? { ca: options.ca } : {}),
        })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** A started request; the caller writes its body and ends it. */
  request(url: URL, method: "GET" | "POST", headers: OutgoingHttpHeaders = {}): ClientRequest {
    const send = this.#https ? https.request : http.request;
    const req = send(url, {
      method,
      agent: this.#agent,
      headers: { authorization: `Bearer ${this.#token}`, ...headers },
    });
    req.on("socket", (socket: Socket) => {
      if (!socket.connecting) return; // a kept-alive connection
      const ms = this.#connectTimeoutMs;
      const timer = setTimeout(() => req.destroy(new Error(`no connection within ${ms} ms`)), ms);
      socket.once(this.#https ? "secureConnect" : "connect", () => clearTimeout(timer));
      req.once("close", () => clearTimeout(timer));
    });
    return req;
  }

  close(): void {
    this.#agent.destroy();
  }
}

export interface BoundedRequestOptions<T> {
  /** From the request's start: what the request is allowed in all. */
  deadlineMs: number;
  /** What the deadline yields: a measurement of what came so far, or an error. */
  onDeadline: () => T | Error;
  signal?: AbortSignal | undefined;
}

/** Ends the request with an outcome; `keepSocket` when the exchange completed and the connection is reusable. */
export type Finish<T> = (outcome: T | Error, keepSocket?: boolean) => void;

/**
 * Runs one request until `finish` is called once. The deadline, the agent stopping, and any
 * error of the request or its response end it as well, and whatever ends it releases the timer
 * and the listener; a response's late `error` (a destroyed download) has a listener, so it
 * never becomes an uncaught exception.
 */
export function boundedRequest<T>(
  req: ClientRequest,
  options: BoundedRequestOptions<T>,
  run: (finish: Finish<T>) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal } = options;
    let settled = false;
    const onAbort = () => finish(new StoppedError());
    const timer = setTimeout(() => finish(options.onDeadline()), options.deadlineMs);
    const finish: Finish<T> = (outcome, keepSocket = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (!keepSocket) req.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    req.on("error", (error) => finish(error));
    req.on("response", (res: IncomingMessage) => {
      res.on("error", (error) => finish(error));
      if (!succeeded(res)) {
        res.resume();
        finish(new HttpStatusError(res.statusCode));
      }
    });
    if (signal?.aborted) {
      finish(new StoppedError());
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    run(finish);
  });
}

/** A 2xx answer; anything else has already ended the request with an HttpStatusError. */
export function succeeded(res: IncomingMessage): boolean {
  return res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode <= 299;
}
