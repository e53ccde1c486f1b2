/**
 * Turns successive conntrack readings into cumulative traffic per LAN address, since the
 * accumulator started. Conntrack counters belong to flows, and flows come and go between
 * readings, so summing a reading's counters would drop everything a closed connection carried:
 * - a flow seen before adds only what it grew by since then;
 * - a flow that vanished keeps what it had carried in the total (its last reading is already in);
 * - a flow whose counters went down is a new flow that reused the tuple (or was zeroed by
 *   `conntrack -Z`/nlbwmon): all of its current counters are new traffic;
 * - a conntrack id (`-o id`) that changed for the same tuple is also a new flow.
 * Traffic a flow carried between our last reading and its end is lost (the kernel forgets it);
 * reading more often loses less. Totals are per address: call forget() when an address moves to
 * another device (a new lease), or its history would be attributed to the new holder.
 */
import { detachedCopy } from "../../../common/rememberByText.js";
import { type ConntrackFlow, conntrackAccountingOff } from "./parseConntrack.js";

export interface LanAddressTraffic {
  ip: string;
  /** Bytes the LAN host sent (upload), summed over its flows since the accumulator started. */
  txBytes: number;
  /** Bytes the LAN host received (download). */
  rxBytes: number;
  txPackets: number;
  rxPackets: number;
  /** Flows with counters in the latest reading. */
  activeFlows: number;
  /** Time of the latest reading that listed a flow of this address (caller's clock, ms). */
  lastSeenAt: number;
}

export type AccountingState = "on" | "off" | "unknown";

/** Addresses kept: a /20 of hosts; beyond it the longest unseen is dropped so memory stays bounded. */
export const MAX_TRACKED_ADDRESSES = 4096;

interface FlowState {
  lanIp: string;
  lanIsOriginator: boolean;
  origBytes: number;
  replyBytes: number;
  origPackets: number;
  replyPackets: number;
}

export class ConntrackAccounting {
  private flows = new Map<string, FlowState>();
  private readonly addresses = new Map<string, LanAddressTraffic>();

  /**
   * Adds one reading. Returns "off" when flows were listed without counters (the totals are left
   * as they were: no counters means not measured, not zero), "unknown" for an empty table.
   */
  update(flows: readonly ConntrackFlow[], at: number): AccountingState {
    if (conntrackAccountingOff(flows)) return "off";
    const next = new Map<string, FlowState>();
    const active = new Map<string, number>();
    for (const flow of flows) {
      if (flow.origBytes === null || flow.replyBytes === null) continue;
      const current: FlowState = {
        lanIp: flow.lanIp,
        lanIsOriginator: flow.lanIsOriginator,
        origBytes: flow.origBytes,
        replyBytes: flow.replyBytes,
        origPackets: flow.origPackets ?? 0,
        replyPackets: flow.replyPackets ?? 0,
      };
      const key = flow.ctId === null ? flow.id : `${flow.id} #${flow.ctId}`;
      const previous = this.flows.get(key);
      const grew =
        previous !== undefined &&
        previous.lanIp === current.lanIp &&
        current.origBytes >= previous.origBytes &&
        current.replyBytes >= previous.replyBytes &&
        current.origPackets >= previous.origPackets &&
        current.replyPackets >= previous.replyPackets;
      const base = grew ? previous : { origBytes: 0, replyBytes: 0, origPackets: 0, replyPackets: 0 };
      this.add(current, {
        origBytes: current.origBytes - base.origBytes,
        replyBytes: current.replyBytes - base.replyBytes,
        origPackets: current.origPackets - base.origPackets,
        replyPackets: current.replyPackets - base.replyPackets,
        at,
      });
      next.set(key, current);
      active.set(current.lanIp, (active.get(current.lanIp) ?? 0) + 1);
    }
    // Flows missing from this reading ended: their last counters are already in the totals.
    this.flows = next;
    for (const entry of this.addresses.values()) entry.activeFlows = active.get(entry.ip) ?? 0;
    return flows.length === 0 ? "unknown" : "on";
  }

  /** Cumulative totals per LAN address, in first-seen order. */
  totals(): LanAddressTraffic[] {
    return [...this.addresses.values()].map((t) => ({ ...t }));
  }

  /** Drops an address's history (its lease went to another device). */
  forget(ip: string): void {
    this.addresses.delete(ip);
    for (const [key, flow] of this.flows) if (flow.lanIp === ip) this.flows.delete(key);
  }

  private add(
    flow: FlowState,
    delta: { origBytes: number; replyBytes: number; origPackets: number; replyPackets: number; at: number },
  ): void {
    let entry = this.addresses.get(flow.lanIp);
    if (!entry) {
      if (this.addresses.size >= MAX_TRACKED_ADDRESSES) this.evictOldest();
      // Kept for as long as the address is: a copy, not a view of the whole conntrack table.
      const ip = detachedCopy(flow.lanIp);
      entry = {
        ip,
        txBytes: 0,
        rxBytes: 0,
        txPackets: 0,
        rxPackets: 0,
        activeFlows: 0,
        lastSeenAt: delta.at,
      };
      this.addresses.set(ip, entry);
    }
    if (flow.lanIsOriginator) {
      entry.txBytes += delta.origBytes;
      entry.rxBytes += delta.replyBytes;
      entry.txPackets += delta.origPackets;
      entry.rxPackets += delta.replyPackets;
    } else {
      entry.txBytes += delta.replyBytes;
      entry.rxBytes += delta.origBytes;
      entry.txPackets += delta.replyPackets;
      entry.rxPackets += delta.origPackets;
    }
    entry.lastSeenAt = delta.at;
  }

  private evictOldest(): void {
    let oldest: LanAddressTraffic | null = null;
    for (const entry of this.addresses.values())
      if (!oldest || entry.lastSeenAt < oldest.lastSeenAt) oldest = entry;
    if (oldest) this.forget(oldest.ip);
  }
}
