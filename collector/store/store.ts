/**
 * The narrow storage interface the collector's ingest and lifetime sweep depend on. SQLite
 * implements it today; a network store for several collector machines can implement it later
 * without touching ingest, the broker or the lifetime rules' callers.
 */
import type { Message } from "../../protocol/index.js";

export interface ReceivedMessage {
  message: Message;
  /** Collector clock when the message arrived, ms since epoch. */
  receivedAt: number;
}

/** Why rows were deleted; the collector's metrics and logs count deletions by these. */
export type DeletionReason = "expired" | "released" | "reset" | "gateway-aged-out";

export type DeletionCounts = Record<DeletionReason, number>;

export type ApplyOutcome =
  | "stored"
  /** Same or older sequence number of the current boot: already applied, nothing changes. */
  | "duplicate"
  /** From a boot that has since been replaced: its data must not come back. */
  | "retired-boot";

export interface ApplyResult {
  outcome: ApplyOutcome;
  deleted: DeletionCounts;
  /** Rows inserted or changed; unchanged rows are not rewritten. */
  written: number;
}

export interface Store {
  /** Applies messages in order inside one transaction: all are committed or none. */
  applyBatch(batch: readonly ReceivedMessage[]): ApplyResult[];
  /**
   * Deletes every lease whose expiry has passed at `now` (collector clock), and makes every
   * deletion since the last sweep final on disk (no old copy left in a journal).
   */
  sweepExpired(now: number): number;
  /**
   * Router-data maximum age: deletes every gateway last seen at or before `lastSeenBefore`
   * (collector clock), with everything stored about it.
   */
  deleteSilentGateways(lastSeenBefore: number): SilentGatewayDeletion;
  /** Row counts for the collector's gauges. */
  stats(): StoreStats;
  close(): void;
}

export interface SilentGatewayDeletion {
  gateways: number;
  leases: number;
  /** History rows (device and interface samples, events) older than the maximum age. */
  historyRows: number;
}

export interface StoreStats {
  gateways: number;
  gatewaysOnline: number;
  leases: number;
}

export function noDeletions(): DeletionCounts {
  return { expired: 0, released: 0, reset: 0, "gateway-aged-out": 0 };
}
