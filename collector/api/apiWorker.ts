/**
 * The HTTP API worker thread: the collector's HTTP server (`/api/v1/...` and `/metrics`) with its
 * own read-only connection. Ingest commits synchronously on the main thread; answering queries
 * here means a commit no longer holds up a request. What only the main thread has (ingest
 * counters, the ingest queue and the broker for an erase, a command to a gateway, an injected
 * clock) is asked for by message; a main thread that does not answer in time gets the client a
 * 503, never a hang. The speed-test server lives here too; the main thread grants its tokens.
 * Started and restarted by apiWorkerHost.ts.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { CommandOutcome } from "../commands/commandOutcome.js";
import { preloadOuiTable } from "../enrich/ouiVendor.js";
import { type HttpServer, startHttpServer } from "../http/httpServer.js";
import { mountSpeedTestEndpoint } from "../http/speedTestEndpoint.js";
import { SpeedTestGrants } from "../http/speedTestGrants.js";
import type { EraseResult } from "../privacy/privacyErase.js";
import { type Db, openDatabase } from "../store/openDatabase.js";
import { ApiError } from "./apiError.js";
import { mountApi } from "./apiRoutes.js";
import type { ApiWorkerData, FromWorker, LogLevel, MainRequest, ToWorker } from "./workerMessages.js";

if (!parentPort) throw new Error("apiWorker.js runs as a worker thread (started by apiWorkerHost.ts)");
const port = parentPort;
const data = workerData as ApiWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

/** Log lines go to the main thread's logger, so they keep its destination, level and redaction. */
const logAt =
  (level: LogLevel) =>
  (obj: unknown, msg?: string): void => {
    if (typeof obj === "string") {
      post({ type: "log", level, obj: {}, msg: obj });
      return;
    }
    try {
      post({ type: "log", level, obj, msg });
    } catch {
      // Something in `obj` cannot be cloned across threads: keep the message at least.
      post({ type: "log", level, obj: { detail: String(obj) }, msg });
    }
  };
const log = { info: logAt("info"), warn: logAt("warn"), error: logAt("error") };

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}
const waiting = new Map<number, Waiting>();
let nextId = 0;

/** Asks the main thread; rejects with a 503 ApiError when it has not answered within `timeoutMs`. */
function ask(request: MainRequest, timeoutMs: number, unanswered: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const id = ++nextId;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new ApiError(503, `${unanswered} within ${timeoutMs / 1000} s; try again`));
    }, timeoutMs);
    waiting.set(id, { resolve, reject, timer });
    post({ type: "request", id, request });
  });
}

let readDb: Db | null = null;
let http: HttpServer | null = null;
const speedTestGrants = new SpeedTestGrants();

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "reply": {
      const entry = waiting.get(message.id);
      if (!entry) return; // Timed out already: the client has had its 503.
      waiting.delete(message.id);
      clearTimeout(entry.timer);
      if (message.ok) {
        entry.resolve(message.value);
      } else {
        const error = new Error(message.error);
        if (message.stack !== undefined) error.stack = message.stack;
        entry.reject(error);
      }
      return;
    }
    case "stop":
      void stop();
      return;
    case "speedtest-grant":
      speedTestGrants.add(message.grant);
      return;
    case "speedtest-revoke":
      speedTestGrants.revoke(message.token);
      return;
    case "crash":
      setImmediate(() => {
        throw new Error("API worker crash requested by a test");
      });
      return;
  }
});

async function stop(): Promise<void> {
  for (const entry of waiting.values()) clearTimeout(entry.timer);
  waiting.clear();
  await http?.close();
  readDb?.close();
  port.close();
}

const { replyTimeoutMs } = data;
try {
  readDb = openDatabase(data.db, { readonly: true });
  http = await startHttpServer(
    data.listen,
    log,
    // An upload's body arrives for as long as a speed test's direction may run.
    data.speedTestMaxSeconds === null ? {} : { requestTimeoutMs: (data.speedTestMaxSeconds + 15) * 1000 },
  );
} catch (error) {
  post({ type: "start-failed", stage: readDb ? "listen" : "database", message: (error as Error).message });
  readDb?.close();
  port.close();
}

if (http && readDb) {
  http.route("GET", "/metrics", async (_request, response) => {
    try {
      const text = (await ask(
        { what: "metrics" },
        replyTimeoutMs.metrics,
        "the collector's main thread did not report its counters",
      )) as string;
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(text);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      response.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end(`${error.message}\n`);
    }
  });
  mountSpeedTestEndpoint(http, speedTestGrants, log);
  const command = (what: "speedtest" | "refresh") => (gatewayId: string) =>
    ask(
      { what, gatewayId },
      replyTimeoutMs.command,
      "the collector's main thread did not answer (the command may still be sent)",
    ) as Promise<CommandOutcome>;
  mountApi(http, {
    readDb,
    log,
    commands: { speedTest: command("speedtest"), refresh: command("refresh") },
    erase: (subject) =>
      ask(
        { what: "erase", subject },
        replyTimeoutMs.erase,
        "the collector's main thread did not confirm the erase (it may still complete; erasing again is safe)",
      ) as Promise<EraseResult & Record<string, unknown>>,
    ...(data.clockFromMain
      ? {
          clock: () =>
            ask(
              { what: "now" },
              replyTimeoutMs.now,
              "the collector's main thread did not answer",
            ) as Promise<number>,
        }
      : {}),
  });
  post({ type: "listening", port: http.port });
  setImmediate(preloadOuiTable);
}
