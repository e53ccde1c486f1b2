/**
 * The messages between the collector's main thread and the HTTP API worker. The worker owns the
 * HTTP server and a read-only connection; what needs the main thread's state (ingest counters
 * for /metrics, the ingest queue and the broker for an erase, a test's clock) is asked for with
 * a `request` and answered with a `reply` carrying the same id.
 */
import type { HttpListen } from "../http/httpServer.js";
import type { SpeedTestGrant } from "../http/speedTestGrants.js";
import type { PrivacySubject } from "../privacy/privacyExport.js";

export interface ApiWorkerData {
  db: string;
  listen: HttpListen;
  /** The collector runs on an injected clock: ask the main thread for `now` on each request. */
  clockFromMain: boolean;
  /** How long the worker waits for the main thread's reply before answering 503; ms. */
  replyTimeoutMs: { metrics: number; erase: number; now: number; command: number };
  /** Speed tests' per-direction time bound, when the collector offers speed tests; uploads may take that long. */
  speedTestMaxSeconds: number | null;
}

export type MainRequest =
  | { what: "metrics" }
  | { what: "erase"; subject: PrivacySubject }
  | { what: "now" }
  /** Send a command to a gateway: answered with a CommandOutcome (collector/commands/commandOutcome.ts). */
  | { what: "speedtest"; gatewayId: string }
  | { what: "refresh"; gatewayId: string };

export type LogLevel = "info" | "warn" | "error";

export type FromWorker =
  | { type: "listening"; port: number }
  | { type: "start-failed"; stage: "database" | "listen"; message: string }
  | { type: "log"; level: LogLevel; obj: unknown; msg: string | undefined }
  | { type: "request"; id: number; request: MainRequest };

export type ToWorker =
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; error: string; stack: string | undefined }
  | { type: "stop" }
  /** A speed test started: its token is valid at the test server until revoked or lapsed. */
  | { type: "speedtest-grant"; grant: SpeedTestGrant }
  | { type: "speedtest-revoke"; token: string }
  /** Tests only: throw an uncaught error in the worker, as a bug would. */
  | { type: "crash" };
