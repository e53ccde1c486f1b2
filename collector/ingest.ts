/**
 * Ingest: validates every payload, batches valid messages into short write transactions
 * (group commit) and resolves each submission only after its transaction committed, so the
 * broker acknowledges a QoS 1 message only once it is stored. Invalid payloads are counted
 * by reason and logged once per gateway and reason; they are never stored and never fatal.
 */

import type { Logger } from "../common/logger.js";
import { parseTopic, type RejectReason, validateMessage } from "../protocol/index.js";
import {
  type ApplyOutcome,
  type DeletionCounts,
  noDeletions,
  type ReceivedMessage,
  type Store,
} from "./store/store.js";

export type IngestOutcome = ApplyOutcome | "rejected";

export interface IngestMetrics {
  received: number;
  stored: number;
  duplicates: number;
  retiredBoot: number;
  rejected: Record<RejectReason, number>;
  deleted: DeletionCounts;
  batches: number;
}

export interface IngestOptions {
  /** Messages per transaction at most: bounds the time one commit holds the write lock. */
  maxBatch?: number;
  /** How long the first message of a batch waits for company before the commit. */
  maxDelayMs?: number;
  clock?: () => number;
}

interface Pending {
  item: ReceivedMessage;
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
    deleted: noDeletions(),
    batches: 0,
  };
  readonly #store: Store;
  readonly #log: Logger;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  readonly #clock: () => number;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** `gateway|reason` pairs already logged, so a gateway sending garbage every second logs once. */
  readonly #loggedRejections = new Set<string>();

  constructor(store: Store, log: Logger, options: IngestOptions = {}) {
    this.#store = store;
    this.#log = log;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 5;
    this.#clock = options.clock ?? Date.now;
  }

  /** Resolves once the message is committed (or rejected as invalid); rejects only if storage fails. */
  submit(topic: string, payload: Uint8Array | string): Promise<IngestOutcome> {
    this.metrics.received++;
    const receivedAt = this.#clock();
    const result = validateMessage(topic, payload);
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
    return new Promise((resolve, reject) => {
      this.#queue.push({ item: { message: result.message, receivedAt }, resolve, reject });
      if (this.#queue.length >= this.#maxBatch) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.#maxDelayMs);
    });
  }

  /** Commits everything queued now. */
  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      let results: ReturnType<Store["applyBatch"]>;
      try {
        results = this.#store.applyBatch(batch.map((p) => p.item));
      } catch (error) {
        this.#log.error(
          { err: error, messages: batch.length },
          "storing a batch failed; nothing in it is acknowledged",
        );
        for (const p of batch) p.reject(error as Error);
        continue;
      }
      this.metrics.batches++;
      results.forEach((r, i) => {
        if (r.outcome === "stored") this.metrics.stored++;
        else if (r.outcome === "duplicate") this.metrics.duplicates++;
        else this.metrics.retiredBoot++;
        this.metrics.deleted.released += r.deleted.released;
        this.metrics.deleted.reset += r.deleted.reset;
        (batch[i] as Pending).resolve(r.outcome);
      });
    }
  }

  /** Runs the expiry sweep and counts what it deleted. */
  sweep(): number {
    const expired = this.#store.sweepExpired(this.#clock());
    this.metrics.deleted.expired += expired;
    return expired;
  }
}
