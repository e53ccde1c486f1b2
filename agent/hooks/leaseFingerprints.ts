/**
 * What the DHCP server's hook tells about each client that the lease file does not: its vendor
 * class (option 60) and parameter request list (option 55), the fingerprint that says what kind
 * of device it is. Kept in memory only, per MAC, for as long as the lease: a release or expiry
 * event forgets it, and the table is bounded.
 */
import type { Lease } from "../../protocol/index.js";
import type { LeaseEvent } from "./spoolReader.js";

/** More clients than any home or small-business gateway serves at once. */
export const MAX_FINGERPRINTS = 4096;

interface Fingerprint {
  vendorClass: string | null;
  requestedOptions: number[] | null;
}

const ENDING_ACTIONS = new Set(["del", "release", "expire"]);

export class LeaseFingerprints {
  readonly #byMac = new Map<string, Fingerprint>();

  record(event: LeaseEvent): void {
    if (!event.mac) return;
    if (ENDING_ACTIONS.has(event.action)) {
      this.#byMac.delete(event.mac);
      return;
    }
    const known = this.#byMac.get(event.mac);
    // A renewal may carry less than the first request did: keep what was known.
    const fingerprint: Fingerprint = {
      vendorClass: event.vendorClass ?? known?.vendorClass ?? null,
      requestedOptions:
        event.requestedOptions.length > 0 ? event.requestedOptions : (known?.requestedOptions ?? null),
    };
    this.#byMac.delete(event.mac);
    this.#byMac.set(event.mac, fingerprint);
    if (this.#byMac.size > MAX_FINGERPRINTS) this.#byMac.delete(this.#byMac.keys().next().value as string);
  }

  /** The leases with their clients' fingerprints where known. */
  enrich(leases: readonly Lease[]): Lease[] {
    if (this.#byMac.size === 0) return [...leases];
    return leases.map((lease) => {
      const fingerprint = lease.mac ? this.#byMac.get(lease.mac) : undefined;
      return fingerprint ? { ...lease, ...fingerprint } : lease;
    });
  }
}
