/**
 * Runs the collector's HTTP server (`/api/v1/...`, `/metrics`) in a worker thread (apiWorker.ts)
 * and answers what the worker asks of the main thread: the metrics text, an erase (ingest queue,
 * database, retained broker message), a command to a gateway and, with an injected clock, the
 * time; and tells the worker which speed-test tokens its test server accepts. A worker that dies
 * is logged and restarted on the same port, a bounded number of times in a row; the collector
 * itself keeps running either way.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "../../common/logger.js";
import type { HttpListen } from "../http/httpServer.js";
import type { SpeedTestGrant } from "../http/speedTestGrants.js";
import type { PrivacySubject } from "../privacy/privacyExport.js";
import type { CommandHandlers } from "./commandRoutes.js";
import type { ApiWorkerData, FromWorker, MainRequest, ToWorker } from "./workerMessages.js";

export interface ApiServer {
  readonly host: string;
  /** The bound port (useful with port 0); a restarted worker binds the same one. */
  readonly port: number;
  /** Workers started after a crash, since start-up. */
  readonly restarts: number;
  close(): Promise<void>;
  /** Tests only: the worker throws an uncaught error, as a bug in it would. */
  crashWorkerForTest(): void;
  /** The test server accepts this speed test's token (a restarted worker is told again). */
  grantSpeedTest(grant: SpeedTestGrant): void;
  revokeSpeedTest(token: string): void;
}

export interface ApiServerOptions {
  db: string;
  listen: HttpListen;
  log: Logger;
  /** The /metrics text, rendered on the main thread where the counters are. */
  metrics(): string;
  erase(subject: PrivacySubject): Promise<Record<string, unknown>>;
  commands?: CommandHandlers;
  /** Speed tests' per-direction time bound when the collector offers them (uploads may run that long). */
  speedTestMaxSeconds?: number;
  /** An injected clock (tests): the worker then asks for the time on each request. */
  clock?: () => number;
  replyTimeoutMs?: Partial<ApiWorkerData["replyTimeoutMs"]>;
  /** Consecutive crashes after which the worker is not restarted again. */
  maxRestarts?: number;
}

/**
 * Main-thread reply deadlines. A commit takes milliseconds, so seconds mean the main thread is
 * stuck; /metrics fits Prometheus' default 10 s scrape timeout; an erase also checkpoints the WAL.
 */
export const REPLY_TIMEOUT_MS = { metrics: 5000, erase: 15_000, now: 5000, command: 10_000 } as const;
/** Crashes in a row before giving up: a worker that dies at once would otherwise spin. */
export const MAX_RESTARTS = 5;
/** First restart delay, doubled for each further crash in a row. */
const RESTART_DELAY_MS = 200;
/** A worker that ran this long is healthy again: the crash count starts over. */
const HEALTHY_AFTER_MS = 60_000;
/** A worker not gone this long after `stop` is terminated. */
const STOP_TIMEOUT_MS = 5000;

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { log } = options;
  const entry = await workerEntry();
  const maxRestarts = options.maxRestarts ?? MAX_RESTARTS;
  const data: ApiWorkerData = {
    db: options.db,
    listen: options.listen,
    clockFromMain: options.clock !== undefined,
    replyTimeoutMs: { ...REPLY_TIMEOUT_MS, ...options.replyTimeoutMs },
    speedTestMaxSeconds: options.speedTestMaxSeconds ?? null,
  };
  /** Speed-test tokens granted and not yet revoked, with when each lapses (Date.now clock). */
  const grants = new Map<string, { grant: SpeedTestGrant; until: number }>();
  /** The worker serving now (null while none is). */
  let worker: Worker | null = null;
  /** Every worker not yet exited, with whether it got as far as listening. */
  const live = new Map<Worker, { listening: boolean }>();
  let closing = false;
  let restarts = 0;
  let crashesInARow = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const answer = async (from: Worker, id: number, request: MainRequest): Promise<void> => {
    let reply: ToWorker;
    try {
      const value = await answerOf(request);
      reply = { type: "reply", id, ok: true, value };
    } catch (error) {
      const { message, stack } = error instanceof Error ? error : new Error(String(error));
      reply = { type: "reply", id, ok: false, error: message, stack };
    }
    from.postMessage(reply); // A no-op if that worker has died meanwhile.
  };

  const answerOf = async (request: MainRequest): Promise<unknown> => {
    switch (request.what) {
      case "metrics":
        return options.metrics();
      case "erase":
        return options.erase(request.subject);
      case "now":
        return (options.clock ?? Date.now)();
      case "speedtest":
      case "refresh": {
        const commands = options.commands;
        if (!commands) return { ok: false, status: 503, error: "this collector sends no commands" };
        return request.what === "speedtest"
          ? commands.speedTest(request.gatewayId)
          : commands.refresh(request.gatewayId);
      }
    }
  };

  /** Starts a worker; resolves with its port once it listens, rejects if it cannot start. */
  const spawn = () =>
    new Promise<number>((resolve, reject) => {
      const w = new Worker(entry, { workerData: data, name: "leaseline-api" });
      // Queued until the worker listens for messages: a restarted worker accepts the same tests.
      const now = Date.now();
      for (const [token, { grant, until }] of grants) {
        if (until <= now) grants.delete(token);
        else
          w.postMessage({
            type: "speedtest-grant",
            grant: { ...grant, validForMs: until - now },
          } satisfies ToWorker);
      }
      const startedAt = Date.now();
      const state = { listening: false };
      live.set(w, state);
      w.on("message", (message: FromWorker) => {
        switch (message.type) {
          case "listening":
            state.listening = true;
            if (closing) {
              stopWorker(w);
              reject(new Error("the collector is stopping"));
              return;
            }
            worker = w;
            // The collector's own handles (broker, sweep timer) keep the process alive, not this.
            w.unref();
            resolve(message.port);
            return;
          case "start-failed":
            reject(
              new Error(
                message.stage === "listen"
                  ? `--http: cannot listen on ${options.listen.host}:${options.listen.port}: ${message.message}`
                  : message.message,
              ),
            );
            return;
          case "log":
            log[message.level](message.obj, message.msg);
            return;
          case "request":
            void answer(w, message.id, message.request);
            return;
        }
      });
      w.on("error", (error) => {
        log.error({ err: error }, "HTTP API worker crashed");
        if (!state.listening) reject(new Error(`HTTP API worker failed to start: ${error.message}`));
      });
      w.on("exit", (code) => {
        live.delete(w);
        if (!state.listening) {
          reject(new Error(`HTTP API worker exited (code ${code}) before it listened`));
          return;
        }
        if (worker !== w || closing) return;
        worker = null;
        if (Date.now() - startedAt >= HEALTHY_AFTER_MS) crashesInARow = 0;
        scheduleRestart(code);
      });
    });

  const scheduleRestart = (code: number) => {
    crashesInARow++;
    if (crashesInARow > maxRestarts) {
      log.error(
        { code, crashes: crashesInARow - 1 },
        "HTTP API worker keeps crashing: /api/v1 and /metrics stay off until the collector restarts",
      );
      return;
    }
    const delayMs = RESTART_DELAY_MS * 2 ** (crashesInARow - 1);
    log.error({ code, delayMs, attempt: crashesInARow }, "HTTP API worker exited; restarting it");
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (closing) return;
      spawn().then(
        () => {
          restarts++;
          log.info({ restarts }, "HTTP API worker restarted");
        },
        (error: Error) => {
          if (closing) return;
          log.error({ err: error }, "HTTP API worker restart failed");
          scheduleRestart(1);
        },
      );
    }, delayMs);
    restartTimer.unref();
  };

  const port = await spawn();
  // A restarted worker must come back where clients and Prometheus already look.
  data.listen = { host: options.listen.host, port };

  return {
    host: options.listen.host,
    port,
    get restarts() {
      return restarts;
    },
    async close() {
      closing = true;
      clearTimeout(restartTimer);
      worker = null;
      await Promise.all([...live.keys()].map(stopWorker));
    },
    crashWorkerForTest() {
      worker?.postMessage({ type: "crash" } satisfies ToWorker);
    },
    grantSpeedTest(grant) {
      grants.set(grant.token, { grant, until: Date.now() + grant.validForMs });
      for (const w of live.keys()) w.postMessage({ type: "speedtest-grant", grant } satisfies ToWorker);
    },
    revokeSpeedTest(token) {
      grants.delete(token);
      for (const w of live.keys()) w.postMessage({ type: "speedtest-revoke", token } satisfies ToWorker);
    },
  };

  /** Lets a listening worker close its server and connection; one still starting is terminated. */
  function stopWorker(w: Worker): Promise<void> {
    return new Promise<void>((resolve) => {
      w.ref();
      const timer = setTimeout(() => void w.terminate(), STOP_TIMEOUT_MS);
      w.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      if (live.get(w)?.listening) w.postMessage({ type: "stop" } satisfies ToWorker);
      else void w.terminate();
    });
  }
}

let bundled: Promise<URL> | undefined;

/**
 * The worker's entry file. From dist/ it is the compiled `apiWorker.js` next to this file. Under
 * vitest this module is TypeScript source and no `apiWorker.js` exists, and Node 20 cannot run
 * .ts in a worker; so the worker's sources are bundled once per process with esbuild (a
 * devDependency, present wherever vitest is) into node_modules/.cache, packages left external so
 * they resolve from the same node_modules as dist/ does (and `../../package.json` is still the
 * project's, for the version). The file name is the content hash: parallel test files share it.
 */
function workerEntry(): Promise<URL> {
  if (!import.meta.url.endsWith(".ts")) return Promise.resolve(new URL("./apiWorker.js", import.meta.url));
  bundled ??= (async () => {
    const { build } = await import("esbuild");
    const result = await build({
      entryPoints: [fileURLToPath(new URL("./apiWorker.ts", import.meta.url))],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      sourcemap: "inline",
      write: false,
      logLevel: "silent",
    });
    const code = result.outputFiles[0]?.contents;
    if (!code) throw new Error("esbuild produced no API worker bundle");
    const dir = fileURLToPath(new URL("../../node_modules/.cache/", import.meta.url));
    const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
    const file = `${dir}leaseline-apiWorker-${hash}.mjs`;
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${file}.${process.pid}.tmp`, code);
      renameSync(`${file}.${process.pid}.tmp`, file);
      // Bundles of older sources: an hour is past any test run that could still load them.
      for (const name of readdirSync(dir)) {
        const old = `${dir}${name}`;
        try {
          if (name.startsWith("leaseline-apiWorker-") && old !== file)
            if (Date.now() - statSync(old).mtimeMs > 3_600_000) rmSync(old, { force: true });
        } catch {
          // Removed by another test process meanwhile.
        }
      }
    }
    return pathToFileURL(file);
  })();
  return bundled;
}
