/**
 * A running collector: SQLite store, ingest, the message source (the embedded broker, or a
 * subscription to an external broker), the lifetime sweep, the HTTP server and the commands to
 * gateways (speed tests, fresh snapshots), started together and stopped together (committing
 * whatever was received).
 */

import { isLoopbackHost, parseBrokerUrl } from "../common/brokerUrl.js";
import type { Logger } from "../common/logger.js";
import { type ApiServer, startApiServer } from "./api/apiWorkerHost.js";
import { CredentialStore } from "./auth/credentialStore.js";
import { GatewayAuthenticator } from "./auth/gatewayAuthenticator.js";
import {
  type CommandSender,
  embeddedCommandSender,
  externalCommandSender,
} from "./commands/commandSender.js";
import { requestSnapshot } from "./commands/snapshotRefresh.js";
import {
  checkSpeedTestBounds,
  DEFAULT_SPEEDTEST_BOUNDS,
  parseSpeedTestUrl,
  type SpeedTestBounds,
  speedTestUrlFor,
} from "./commands/speedTestConfig.js";
import { SpeedTestRequests } from "./commands/speedTestRequests.js";
import {
  type BrokerLimits,
  type EmbeddedBroker,
  startEmbeddedBroker,
  type TlsFiles,
} from "./embeddedBroker.js";
import {
  type ExternalBrokerOptions,
  type ExternalSubscriber,
  startExternalSubscriber,
} from "./external/externalSubscriber.js";
import type { HttpListen } from "./http/httpServer.js";
import { Ingest, type IngestOptions } from "./ingest.js";
import { renderCollectorMetrics } from "./metrics/collectorMetrics.js";
import { eraseSubject } from "./privacy/privacyErase.js";
import type { PrivacySubject } from "./privacy/privacyExport.js";
import { SqliteStore } from "./store/sqliteStore.js";

export interface CollectorOptions {
  db: string;
  /** `mqtt://HOST:PORT` or `mqtts://HOST:PORT` for the embedded broker. Ignored with `external`. */
  listen: string;
  /** Certificate and key for an `mqtts://` listener; `ca` turns on client certificates. */
  tls?: TlsFiles;
  /** Subscribe to this external broker instead of embedding one. */
  external?: ExternalBrokerOptions;
  /** HTTP server for /metrics and /api/v1 (in a worker thread); null or absent = none. */
  http?: HttpListen | null;
  /** How often expired leases are deleted; the lifetime rules require at most 5 s. */
  sweepIntervalMs?: number;
  /** Router-data maximum age: gateways silent longer than this are deleted with their data; ms. */
  routerDataMaxAgeMs?: number;
  /**
   * Speed tests: the test server's URL as gateways reach it (default: derived from `http`) and
   * the bounds of one test (default DEFAULT_SPEEDTEST_BOUNDS).
   */
  speedTest?: { url?: string; bounds?: Partial<SpeedTestBounds> };
  /** Embedded broker limits (tests lower them; the CLI sets the publish rate). */
  brokerLimits?: Partial<BrokerLimits>;
  ingest?: Pick<IngestOptions, "maxBatch" | "maxDelayMs">;
  log: Logger;
  clock?: () => number;
}

interface CollectorParts {
  readonly ingest: Ingest;
  readonly store: SqliteStore;
  /** The HTTP server, served from the API worker thread; null without `http`. */
  readonly http: ApiServer | null;
  close(): Promise<void>;
}

/** A collector with its embedded broker. */
export interface Collector extends CollectorParts {
  readonly broker: EmbeddedBroker;
  readonly external: null;
}

/** A collector subscribed to an external broker. */
export interface ExternalCollector extends CollectorParts {
  readonly broker: null;
  readonly external: ExternalSubscriber;
}

/** The lifetime rules promise deletion within this long after expiry. */
export const MAX_SWEEP_INTERVAL_MS = 5000;

export async function startCollector(
  options: CollectorOptions & { external?: undefined },
): Promise<Collector>;
export async function startCollector(
  options: CollectorOptions & { external: ExternalBrokerOptions },
): Promise<ExternalCollector>;
export async function startCollector(options: CollectorOptions): Promise<Collector | ExternalCollector>;
export async function startCollector(options: CollectorOptions): Promise<Collector | ExternalCollector> {
  const { log } = options;
  const listen = options.external ? null : parseBrokerUrl(options.listen, "--listen");
  if (listen?.protocol === "mqtts" && !options.tls) {
    throw new Error("--listen: mqtts:// needs --tls-cert and --tls-key");
  }
  if (listen?.protocol === "mqtt" && options.tls) {
    throw new Error("--tls-cert/--tls-key given but --listen is mqtt://; use mqtts:// to listen with TLS");
  }
  const speedTestBounds = checkSpeedTestBounds({ ...DEFAULT_SPEEDTEST_BOUNDS, ...options.speedTest?.bounds });
  const speedTestUrl =
    options.speedTest?.url === undefined ? undefined : parseSpeedTestUrl(options.speedTest.url);
  const sweepIntervalMs = Math.min(options.sweepIntervalMs ?? MAX_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS);
  const store = new SqliteStore(options.db);
  const ingest = new Ingest(store, log, {
    ...options.ingest,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.routerDataMaxAgeMs !== undefined ? { routerDataMaxAgeMs: options.routerDataMaxAgeMs } : {}),
  });
  let broker: EmbeddedBroker | null = null;
  let external: ExternalSubscriber | null = null;
  let http: ApiServer | null = null;
  let speedTests: SpeedTestRequests | null = null;
  let sender: CommandSender | null = null;
  const clock = options.clock ?? Date.now;

  const sweep = () => {
    try {
      const { expired, gatewaysAgedOut } = ingest.sweep();
      if (expired > 0) log.info({ expired }, "expired leases deleted");
      if (gatewaysAgedOut > 0)
        log.info({ gateways: gatewaysAgedOut }, "silent gateways deleted (router-data maximum age)");
    } catch (error) {
      log.error({ err: error }, "lifetime sweep failed; retrying at the next interval");
    }
    // Also fails tests a previous run of the collector left pending.
    speedTests?.tick();
    try {
      const closed = broker?.revalidateCredentials() ?? 0;
      if (closed > 0) log.info({ closed }, "clients disconnected: their credential was removed or changed");
    } catch (error) {
      log.error({ err: error }, "checking connected clients' credentials failed");
    }
  };
  const timer = setInterval(sweep, sweepIntervalMs);

  const stopAll = async () => {
    clearInterval(timer);
    speedTests?.close();
    await http?.close();
    await broker?.close();
    await external?.close();
    ingest.close();
    sweep();
    store.close();
  };

  try {
    sweep();
    if (listen) {
      const credentials = new CredentialStore(store.db);
      const loopback = isLoopbackHost(listen.host);
      const anyCredential = credentials.anyConfigured();
      if (!loopback && !anyCredential) {
        throw new Error(
          `--listen: ${listen.host} is not a loopback address and no gateway credential exists; ` +
            "add one with `leaseline collector gateways add <id> --db FILE`, or listen on 127.0.0.1 or ::1",
        );
      }
      if (!loopback && listen.protocol === "mqtt") {
        log.warn(
          { host: listen.host },
          "listening without TLS off loopback: gateway passwords cross the network in clear; use mqtts://",
        );
      }
      try {
        broker = await startEmbeddedBroker(ingest, log, {
          host: listen.host,
          port: listen.port,
          ...(options.tls ? { tls: options.tls } : {}),
          authenticator: new GatewayAuthenticator(credentials),
          allowAnonymous: loopback,
          ...(options.brokerLimits ? { limits: options.brokerLimits } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
        });
      } catch (error) {
        throw new Error(`--listen: cannot listen on ${options.listen}: ${(error as Error).message}`);
      }
      if (anyCredential) {
        log.info({ db: options.db }, "collector started: every client must authenticate as a gateway");
      } else {
        log.info(
          { db: options.db, loopbackOnly: true },
          "collector started without gateway credentials: anonymous clients accepted, on loopback only",
        );
      }
    } else if (options.external) {
      external = startExternalSubscriber(ingest, log, options.external);
      log.info(
        { db: options.db, broker: options.external.url, shareGroup: options.external.shareGroup },
        "collector started in external-broker mode",
      );
    }
    if (broker) sender = embeddedCommandSender(broker);
    else if (external) sender = externalCommandSender(external, store.db);
    if (options.http) {
      const sources = {
        ingest,
        store,
        log,
        ...(broker ? { broker } : {}),
        ...(external ? { external } : {}),
      };
      // The HTTP server runs in a worker thread with its own read-only connection, so queries
      // neither wait for ingest's synchronous commits nor block them (WAL); /metrics and erase
      // come back here by message, where the counters, the queue and the broker are.
      http = await startApiServer({
        db: options.db,
        listen: options.http,
        log,
        metrics: () => renderCollectorMetrics(sources),
        erase: (subject) => eraseEverywhere(subject),
        commands: {
          speedTest: async (gatewayId) =>
            speedTests
              ? speedTests.request(gatewayId)
              : { ok: false, status: 503, error: "the collector is still starting" },
          refresh: async (gatewayId) =>
            sender
              ? requestSnapshot(store.db, sender, gatewayId, clock(), log)
              : { ok: false, status: 503, error: "the collector has no broker to send commands through" },
        },
        speedTestMaxSeconds: speedTestBounds.maxSeconds,
        ...(options.clock ? { clock: options.clock } : {}),
      });
      const server = speedTestUrlFor(speedTestUrl, { host: options.http.host, port: http.port });
      if ("problem" in server) log.warn({ problem: server.problem }, "speed tests unavailable");
      if (sender) {
        const api = http;
        speedTests = new SpeedTestRequests({
          db: store.db,
          sender,
          server,
          bounds: speedTestBounds,
          grants: { grant: (g) => api.grantSpeedTest(g), revoke: (token) => api.revokeSpeedTest(token) },
          log,
          clock,
        });
      }
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  /** Queue first (nothing queued may be stored after the erase), then the database, then the broker. */
  async function eraseEverywhere(subject: PrivacySubject) {
    const queuedRecordsDropped = ingest.dropPending(subject.gatewayId, subject.mac);
    const result = eraseSubject(store.db, subject);
    // A reader held the WAL: the sweep keeps trying until the erased bytes are out of the WAL too.
    if (!result.checkpointed) store.checkpointLater();
    let retainedState = "not applicable (device erase: the state message names no device)";
    if (subject.mac === undefined) {
      if (broker) {
        await broker.clearRetained(subject.gatewayId);
        retainedState = "cleared";
      } else {
        retainedState = "not cleared: external broker (publish an empty retained message to the state topic)";
      }
    }
    return { ...result, queuedRecordsDropped, retainedState };
  }

  const parts = { ingest, store, http, close: stopAll };
  if (broker) return { ...parts, broker, external: null };
  return { ...parts, broker: null, external: external as ExternalSubscriber };
}
