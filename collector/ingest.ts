/**
 * Ingest: validates every payload, batches valid messages into short write transactions
 * (group commit) and resolves each submission only after its transaction committed, so the
 * broker acknowledges a QoS 1 message only once it is stored; a failed commit rejects every
 * submission of the batch, and the broker then acknowledges none of them. Invalid payloads are
 * counted by reason and logged once per gateway and reason; they are never stored and never fatal.
 *
 * Group commit: a batch is committed at the end of the current event-loop turn (or after
 * `maxDelayMs`), so every message parsed from the sockets that were readable in that turn shares
 * one transaction; under load turns get longer and batches larger by themselves.
 */

import { performance } from "node:perf_hooks";
import type { Logger } from "../common/logger.js";
import { parseTopic, type RejectReason, validateMessage } from "../protocol/index.js";
import { Histogram, LATENCY_BUCKETS_SECONDS } from "./metrics/histogram.js";
import {
  type ApplyOutcome,
  type DeletionCounts,
  noDeletions,
  type ReceivedMessage,
  type Store,
} from "./store/store.js";

/** `erased`: dropped from the queue by a privacy erase before it was stored. */
export type IngestOutcome = ApplyOutcome | "rejected" | "erased";

export interface IngestMetrics {
  received: number;
  stored: number;
  duplicates: number;
  retiredBoot: number;
  rejected: Record<RejectReason, number>;
  /** Invalid records left out of snapshots that were stored without them (protocol/validate.ts). */
  recordsLeftOut: number;
  deleted: DeletionCounts;
  /** Gateways deleted because they were silent longer than the router-data maximum age. */
  gatewaysAgedOut: number;
  batches: number;
  /** Batches whose transaction failed: none of their messages was acknowledged. */
  commitFailures: number;
  /** Seconds from a message's arrival to the commit of its transaction. */
  latency: Histogram;
  /** Time spent parsing and validating payloads, seconds. */
  validationSeconds: number;
  /** Time spent in the store's transactions, seconds. */
  storeSeconds: number;
}

export interface IngestOptions {
  /** Messages per transaction at most: bounds the time one commit holds the write lock. */
  maxBatch?: number;
  /** How long the first message of a batch waits for company; 0 = until the end of the event-loop turn. */
  maxDelayMs?: number;
  /** Gateways silent for longer than this are deleted by the sweep (router-data maximum age); ms. */
  routerDataMaxAgeMs?: number;
  clock?: () => number;
}

/** Default router-data maximum age: 30 days. */
export const DEFAULT_ROUTER_DATA_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

interface Pending {
  item: ReceivedMessage;
  /** performance.now() at arrival, for the latency histogram. */
  arrived: number;
  resolve: (outcome: IngestOutcome) => void;
  reject: (error: Error) => void;
}

export class Ingest {
  readonly metrics: IngestMetrics = {
    received: 0,
    stored: 0,
    duplicates: 0,
    retiredBoot: 0,
    rejected: { topic: 0, "too-large": 0, "not-json": 0, schema: 0, "gateway-mismatch": 0 },
    recordsLeftOut: 0,
    deleted: noDeletions(),
    gatewaysAgedOut: 0,
    batches: 0,
    commitFailures: 0,
    latency: new Histogram(LATENCY_BUCKETS_SECONDS),
    validationSeconds: 0,
    storeSeconds: 0,
  };
  readonly #store: Store;
  readonly #log: Logger;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  readonly #routerDataMaxAgeMs: number;
  readonly #clock: () => number;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #closed = false;
  /** `gateway|reason` pairs already logged, so a gateway sending garbage every second logs once. */
  readonly #loggedRejections = new Set<string>();

  constructor(store: Store, log: Logger, options: IngestOptions = {}) {
    this.#store = store;
    this.#log = log;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 0;
    this.#routerDataMaxAgeMs = options.routerDataMaxAgeMs ?? DEFAULT_ROUTER_DATA_MAX_AGE_MS;
    this.#clock = options.clock ?? Date.now;
  }

  /** Messages waiting for the next commit. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Resolves once the message is committed (or rejected as invalid); rejects only if storage fails. */
  submit(topic: string, payload: Uint8Array | string): Promise<IngestOutcome> {
    if (this.#closed) return Promise.reject(new Error("the collector is stopping; not stored"));
    this.metrics.received++;
    const arrived = performance.now();
    const receivedAt = this.#clock();
    const result = validateMessage(topic, payload);
    this.metrics.validationSeconds += (performance.now() - arrived) / 1000;
    if (!result.ok) {
      this.metrics.rejected[result.reason]++;
      const gateway = parseTopic(topic)?.gatewayId ?? topic.split("/")[2] ?? "(unknown)";
      const key = `${gateway}|${result.reason}`;
      if (!this.#loggedRejections.has(key) && this.#loggedRejections.size < 10_000) {
        this.#loggedRejections.add(key);
        this.#log.warn(
          { gatewayId: gateway, topic: topic.slice(0, 200), reason: result.reason, errors: result.errors },
          "invalid message rejected (further rejections for this gateway and reason are counted, not logged)",
        );
      }
      return Promise.resolve("rejected");
    }
    if (result.leftOut.length > 0) {
      this.metrics.recordsLeftOut += result.leftOut.length;
      const gateway = result.message.gatewayId;
      const key = `${gateway}|left-out`;
      if (!this.#loggedRejections.has(key) && this.#loggedRejections.size < 10_000) {
        this.#loggedRejections.add(key);
        this.#log.warn(
          { gatewayId: gateway, leftOut: result.leftOut },
          "invalid records left out of a snapshot, the rest stored (further ones for this gateway are counted, not logged)",
        );
      }
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ item: { message: result.message, receivedAt }, arrived, resolve, reject });
      if (this.#queue.length >= this.#maxBatch) this.flush();
      else if (this.#maxDelayMs > 0) this.#timer ??= setTimeout(() => this.flush(), this.#maxDelayMs);
      else this.#immediate ??= setImmediate(() => this.flush());
    });
  }

  /**
   * Privacy erase: removes the gateway's queued messages (or, with `mac`, that device's records
   * from them) so nothing about it is stored after the erase. Returns the messages or records
   * removed. A dropped message is acknowledged as `erased`; it is not retained.
   */
  dropPending(gatewayId: string, mac?: string): number {
    let dropped = 0;
    this.#queue = this.#queue.filter((p) => {
      const { message } = p.item;
      if (message.gatewayId !== gatewayId) return true;
      if (mac === undefined) {
        dropped++;
        p.resolve("erased");
        return false;
      }
      if (message.type === "snapshot") {
        const keep = <T extends { mac: string | null }>(rows: T[]) => {
          const kept = rows.filter((r) => r.mac !== mac);
          dropped += rows.length - kept.length;
          return kept;
        };
        p.item = {
          ...p.item,
          message: {
            ...message,
            leases: keep(message.leases),
            neighbors: keep(message.neighbors),
            stations: keep(message.stations),
          },
        };
      }
      return true;
    });
    return dropped;
  }

  /** Commits everything queued now. */
  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#immediate) {
      clearImmediate(this.#immediate);
      this.#immediate = null;
    }
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      let results: ReturnType<Store["applyBatch"]>;
      const started = performance.now();
      try {
        results = this.#store.applyBatch(batch.map((p) => p.item));
      } catch (error) {
        this.metrics.commitFailures++;
        this.#log.error(
          { err: error, messages: batch.length },
          "storing a batch failed; nothing in it is acknowledged",
        );
        for (const p of batch) p.reject(error as Error);
        continue;
      } finally {
        this.metrics.storeSeconds += (performance.now() - started) / 1000;
      }
      const committed = performance.now();
      this.metrics.batches++;
      results.forEach((r, i) => {
        const pending = batch[i] as Pending;
        if (r.outcome === "stored") this.metrics.stored++;
        else if (r.outcome === "duplicate") this.metrics.duplicates++;
        else this.metrics.retiredBoot++;
        this.metrics.deleted.released += r.deleted.released;
        this.metrics.deleted.reset += r.deleted.reset;
        this.metrics.latency.observe((committed - pending.arrived) / 1000);
        pending.resolve(r.outcome);
      });
    }
  }

  /**
   * Runs the lifetime sweep: gateways silent past the router-data maximum age first (with all
   * their data), then expired leases, then the checkpoint that makes deletions final on disk.
   */
  sweep(): { expired: number; gatewaysAgedOut: number } {
    const now = this.#clock();
    const aged = this.#store.deleteSilentGateways(now - this.#routerDataMaxAgeMs);
    this.metrics.gatewaysAgedOut += aged.gateways;
    this.metrics.deleted["gateway-aged-out"] += aged.leases;
    const expired = this.#store.sweepExpired(now);
    this.metrics.deleted.expired += expired;
    return { expired, gatewaysAgedOut: aged.gateways };
  }

  /** Commits what is queued and refuses anything submitted afterwards (it will be resent). */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
