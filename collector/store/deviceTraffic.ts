/**
 * Traffic per device from the device's point of view (down = what it received, up = what it sent):
 * the snapshot's `traffic` rows mapped to devices (nlbwmon by MAC, conntrack by the device's
 * addresses), or its Wi-Fi station counters when no such row names it, turned into a rate between
 * readings and a total for the current lease. Pure: the caller keeps the state in the devices row.
 *
 * The sources count differently, so a total is kept as the sum of differences between readings:
 * - a counter that went down means its source restarted (nlbwmon's new accounting period, the
 *   agent restarted its conntrack totals, a station re-associated): what it shows now is what it
 *   counted since, and that interval has no rate (the restart's moment is unknown);
 * - a row seen for the first time is a baseline, not traffic of this lease (nlbwmon counts over
 *   its whole period, conntrack since the agent started), except the station counters of a device
 *   that had no reading yet: they count since the association, which is this lease's;
 * - a row that vanished (a host's flows ended, the source failed a cycle) is dropped: when it
 *   comes back it is a baseline again, so a gap never becomes a jump.
 * Station counters may wrap at 2^32 (counterChange); nlbwmon and conntrack totals are 64-bit
 * values that only go down when restarted.
 */
import { counterChange } from "../../agent/rates/counterRate.js";
import type { DeviceTraffic, DeviceView, Station } from "../../protocol/index.js";

export type TrafficSource = DeviceTraffic["source"] | "wifi-station";

interface Reading {
  key: string;
  /** Cumulative: bytes received by the device, sent by it, and the packets of both. */
  counts: [down: number, up: number, downPackets: number, upPackets: number];
}

export interface DeviceReadings {
  source: TrafficSource;
  readings: Reading[];
}

/** What the devices row keeps between snapshots. */
export interface TrafficState {
  source: TrafficSource | null;
  /** JSON: key → the last reading's counts, for the next difference. */
  counters: string | null;
  downRate: number | null;
  upRate: number | null;
  lease: [downBytes: number, upBytes: number, downPackets: number, upPackets: number];
}

const STATION_KEY = "station";

/** Source preference when a device is named by rows of both (the agent sends one or the other). */
const PREFERRED: readonly DeviceTraffic["source"][] = ["nlbwmon", "conntrack"];

/** Maps one snapshot's traffic rows to its devices. */
export class TrafficIndex {
  readonly #byMac = new Map<string, DeviceTraffic[]>();
  readonly #byIp = new Map<string, DeviceTraffic[]>();
  /** The device each address belongs to: a leased device wins over a stale neighbour entry. */
  readonly #owner = new Map<string, DeviceView>();

  constructor(traffic: readonly DeviceTraffic[] | undefined, views: readonly DeviceView[]) {
    if (!traffic || traffic.length === 0) return;
    for (const row of traffic) {
      const [map, key] = row.mac !== null ? [this.#byMac, row.mac] : [this.#byIp, row.ip];
      if (key === null) continue;
      const list = map.get(key);
      if (list) list.push(row);
      else map.set(key, [row]);
    }
    if (this.#byIp.size === 0) return;
    for (const view of views) {
      for (const ip of view.ips) {
        const owner = this.#owner.get(ip);
        if (!owner || (view.hasLease && !owner.hasLease)) this.#owner.set(ip, view);
      }
    }
  }

  /** The device's readings from the best source that has any, or null. */
  readingsOf(view: DeviceView, station: Station | undefined): DeviceReadings | null {
    const rows: DeviceTraffic[] = [...(this.#byMac.get(view.mac) ?? [])];
    if (this.#byIp.size > 0) {
      for (const ip of view.ips) {
        if (this.#owner.get(ip) === view) rows.push(...(this.#byIp.get(ip) ?? []));
      }
    }
    for (const source of PREFERRED) {
      const readings = new Map<string, Reading>();
      for (const row of rows) {
        if (row.source !== source) continue;
        const key = `${row.mac ?? "-"}/${row.ip ?? "-"}`;
        const r = readings.get(key) ?? { key, counts: [0, 0, 0, 0] };
        r.counts[0] += row.rxBytes;
        r.counts[1] += row.txBytes;
        r.counts[2] += row.rxPackets;
        r.counts[3] += row.txPackets;
        readings.set(key, r);
      }
      if (readings.size > 0) return { source, readings: [...readings.values()] };
    }
    if (!station) return null;
    // The access point's counters: what it transmitted is what the device received.
    return {
      source: "wifi-station",
      readings: [
        {
          key: STATION_KEY,
          counts: [station.txBytes, station.rxBytes, station.txPackets, station.rxPackets],
        },
      ],
    };
  }
}

/** Counted between two readings of one counter, and whether the counter restarted. */
function difference(prev: number, cur: number, wraps: boolean): { counted: number; restarted: boolean } {
  if (cur >= prev) return { counted: cur - prev, restarted: false };
  if (wraps) {
    const change = counterChange(prev, cur);
    if (change.delta !== null) return { counted: Number(change.delta), restarted: false };
  }
  return { counted: cur, restarted: true };
}

function parseCounters(json: string | null): Record<string, number[]> {
  if (json === null) return {};
  try {
    return JSON.parse(json) as Record<string, number[]>;
  } catch {
    return {};
  }
}

/**
 * The device's traffic state after this snapshot's readings, from the previous state and the
 * time between the two readings (null when unknown).
 */
export function countTraffic(
  old: TrafficState | undefined,
  current: DeviceReadings | null,
  elapsedMs: number | null,
): TrafficState {
  const lease: number[] = old ? [...old.lease] : [0, 0, 0, 0];
  const totals = (): TrafficState["lease"] => [lease[0] ?? 0, lease[1] ?? 0, lease[2] ?? 0, lease[3] ?? 0];
  if (!current) return { source: null, counters: null, downRate: null, upRate: null, lease: totals() };
  const prev = parseCounters(old?.counters ?? null);
  const wraps = current.source === "wifi-station";
  const firstReading = (old?.source ?? null) === null;
  const counters: Record<string, number[]> = {};
  let intervalDown = 0;
  let intervalUp = 0;
  let measured = false;
  let restarted = false;
  for (const { key, counts } of current.readings) {
    counters[key] = counts;
    const before = prev[key];
    if (before?.length !== 4) {
      if (wraps && firstReading) for (let i = 0; i < 4; i++) lease[i] = (lease[i] ?? 0) + (counts[i] ?? 0);
      continue;
    }
    measured = true;
    counts.forEach((c, i) => {
      const d = difference(before[i] ?? 0, c, wraps);
      lease[i] = (lease[i] ?? 0) + d.counted;
      if (d.restarted) restarted = true;
      if (i === 0) intervalDown += d.counted;
      if (i === 1) intervalUp += d.counted;
    });
  }
  const rated = measured && !restarted && elapsedMs !== null && elapsedMs > 0;
  // No time between the readings (a snapshot support asked for right after the last one, read
  // from the same uptime): the same reading again, so the rate stands as it was.
  const again = measured && !restarted && elapsedMs === 0 && old?.source === current.source;
  return {
    source: current.source,
    counters: JSON.stringify(counters),
    downRate: rated ? (intervalDown * 1000) / (elapsedMs as number) : again ? (old?.downRate ?? null) : null,
    upRate: rated ? (intervalUp * 1000) / (elapsedMs as number) : again ? (old?.upRate ?? null) : null,
    lease: totals(),
  };
}
