/**
 * Decides, at each change check, whether to publish: at once when what support cares about
 * changed (a lease appeared, went or changed hands; a station joined or left a radio; the router
 * rebooted), otherwise when the full-snapshot interval has passed. Counters and signal levels
 * change every second and wait for the interval; so do lease renewals (a new expiry is not a new
 * device, and the collector has the old expiry until the next full snapshot, well before it).
 * Only a digest of the last published snapshot is kept, not the snapshot, and a change check
 * reads only the sources a change is made of (CHANGE_SOURCES), as cheaply as each can (Source
 * `probe`: the Wi-Fi stations from the dumps' header lines): the full collection, with its
 * neighbour tables, counters and surveys, runs only when something is to be published.
 */
import { createHash } from "node:crypto";
import type { Lease } from "../../protocol/index.js";
import type { StationMembership } from "../sources/source.js";

/** What a change is made of: a snapshot has it, and so has a change check's cheaper look. */
export interface ChangeInput {
  bootId: string;
  leases: readonly Pick<Lease, "ip" | "mac" | "duid" | "hostname">[];
  stations: readonly StationMembership[];
}

/** A digest of what a change means: the boot, the lease holders and the radio memberships. */
export function changeDigest(s: ChangeInput): string {
  const leases = s.leases.map((l) => `${l.ip}|${l.mac ?? ""}|${l.duid ?? ""}|${l.hostname ?? ""}`).sort();
  const stations = s.stations.map((st) => `${st.mac}|${st.interface}`).sort();
  return createHash("sha1")
    .update(s.bootId)
    .update("\0")
    .update(leases.join("\n"))
    .update("\0")
    .update(stations.join("\n"))
    .digest("hex");
}

export type PublishReason = "first" | "changed" | "interval";

/** Sources whose records a change is made of: the lease servers and the Wi-Fi stations. */
export const CHANGE_SOURCES: ReadonlySet<string> = new Set(["dnsmasq", "isc-dhcpd", "kea", "odhcpd", "iw"]);

export class ChangeDetector {
  readonly #intervalMs: number;
  #lastDigest: string | null = null;
  #lastPublishedAt = Number.NEGATIVE_INFINITY;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** Whether a full snapshot is due regardless of changes (`now` is a monotonic clock, ms). */
  due(now: number): PublishReason | null {
    if (this.#lastDigest === null) return "first";
    return now - this.#lastPublishedAt >= this.#intervalMs ? "interval" : null;
  }

  /** Whether what a change is made of differs from the last published snapshot. */
  changed(snapshot: ChangeInput): boolean {
    return this.#lastDigest === null || changeDigest(snapshot) !== this.#lastDigest;
  }

  /** Why this snapshot should be published now, or null to skip it. */
  decide(snapshot: ChangeInput, now: number): PublishReason | null {
    const due = this.due(now);
    if (due === "first") return due;
    return this.changed(snapshot) ? "changed" : due;
  }

  /** The snapshot was queued for publishing at `now`. */
  published(snapshot: ChangeInput, now: number): void {
    this.#lastDigest = changeDigest(snapshot);
    this.#lastPublishedAt = now;
  }
}
