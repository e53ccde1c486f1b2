/**
 * A running collector: SQLite store, ingest, the embedded broker and the lifetime sweep,
 * started together and stopped together (committing whatever was received).
 */

import { isLoopbackHost, parseBrokerUrl } from "../common/brokerUrl.js";
import type { Logger } from "../common/logger.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "./embeddedBroker.js";
import { Ingest } from "./ingest.js";
import { SqliteStore } from "./store/sqliteStore.js";

export interface CollectorOptions {
  db: string;
  /** `mqtt://HOST:PORT` for the embedded broker. */
  listen: string;
  /** How often expired leases are deleted; the lifetime rules require at most 5 s. */
  sweepIntervalMs?: number;
  log: Logger;
  clock?: () => number;
}

export interface Collector {
  readonly ingest: Ingest;
  readonly store: SqliteStore;
  readonly broker: EmbeddedBroker;
  close(): Promise<void>;
}

/** The lifetime rules promise deletion within this long after expiry. */
export const MAX_SWEEP_INTERVAL_MS = 5000;

export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const { log } = options;
  const listen = parseBrokerUrl(options.listen, "--listen");
  if (listen.protocol !== "mqtt")
    throw new Error("--listen: only mqtt:// is supported by the embedded broker for now");
  if (!isLoopbackHost(listen.host)) {
    throw new Error(
      `--listen: ${listen.host} is not a loopback address; the embedded broker has no gateway credentials, ` +
        "so it only listens on 127.0.0.1 or ::1",
    );
  }
  const sweepIntervalMs = Math.min(options.sweepIntervalMs ?? MAX_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS);
  const store = new SqliteStore(options.db);
  const ingest = new Ingest(store, log, options.clock ? { clock: options.clock } : {});
  const sweep = () => {
    try {
      const expired = ingest.sweep();
      if (expired > 0) log.info({ expired }, "expired leases deleted");
    } catch (error) {
      log.error({ err: error }, "lease expiry sweep failed; retrying at the next interval");
    }
  };
  sweep();
  const timer = setInterval(sweep, sweepIntervalMs);
  let broker: EmbeddedBroker;
  try {
    broker = await startEmbeddedBroker(ingest, log, { host: listen.host, port: listen.port });
  } catch (error) {
    clearInterval(timer);
    store.close();
    throw new Error(`--listen: cannot listen on ${options.listen}: ${(error as Error).message}`);
  }
  log.info(
    { db: options.db, loopbackOnly: true },
    "collector started (no credentials configured: loopback only)",
  );
  return {
    ingest,
    store,
    broker,
    async close() {
      clearInterval(timer);
      await broker.close();
      ingest.flush();
      sweep();
      store.close();
    },
  };
}
