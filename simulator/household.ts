/**
 * How a household behaves when nothing is scripted: which devices it has, what they do online
 * (activity levels with realistic byte rates) and how long they stay and stay away.
 */
import { clientIdFor, type DeviceProfile, generateProfile } from "./catalog.js";
import { Counter } from "./counter.js";
import { hashString, mix32, type Prng } from "./prng.js";
import type { ScenarioDevice } from "./scenario.js";
import type { SimDevice } from "./types.js";

/** Activity levels: byte rate ranges (down low, down high, up low, up high) in bytes per second. */
export const ACTIVITIES = {
  idle: [200, 3_000, 100, 1_500],
  light: [20_000, 300_000, 5_000, 50_000],
  music: [20_000, 40_000, 1_000, 3_000],
  stream: [600_000, 3_000_000, 20_000, 80_000],
  call: [200_000, 500_000, 200_000, 500_000],
  bulk: [3_000_000, 30_000_000, 50_000, 500_000],
  upload: [20_000, 100_000, 1_000_000, 5_000_000],
} as const;
export type Activity = keyof typeof ACTIVITIES;

/** Relative weights of each activity per kind of device. */
const ACTIVITY_MIX: Record<DeviceProfile["kind"], Partial<Record<Activity, number>>> = {
  phone: { idle: 55, light: 30, stream: 10, call: 4, bulk: 1 },
  tablet: { idle: 50, light: 20, stream: 25, bulk: 5 },
  laptop: { idle: 30, light: 35, stream: 10, call: 10, bulk: 10, upload: 5 },
  desktop: { idle: 40, light: 30, stream: 10, bulk: 15, upload: 5 },
  tv: { idle: 40, stream: 60 },
  console: { idle: 50, light: 10, stream: 10, bulk: 30 },
  speaker: { idle: 60, music: 40 },
  iot: { idle: 100 },
  printer: { idle: 98, light: 2 },
};

const MIX_ENTRIES = Object.fromEntries(
  Object.entries(ACTIVITY_MIX).map(([kind, mix]) => {
    const entries = Object.entries(mix) as [Activity, number][];
    return [kind, { entries, total: entries.reduce((s, [, w]) => s + w, 0) }];
  }),
) as Record<DeviceProfile["kind"], { entries: [Activity, number][]; total: number }>;

/** Mean time an activity lasts before the device does something else. */
export const ACTIVITY_MEAN_MS: Record<Activity, number> = {
  idle: 120_000,
  light: 60_000,
  music: 900_000,
  stream: 600_000,
  call: 600_000,
  bulk: 180_000,
  upload: 300_000,
};

/** Mean present and away durations by presence style (ms): phones come and go, IoT stays. */
export const PRESENCE_MEAN_MS = {
  mobile: [12 * 60_000, 8 * 60_000],
  session: [60 * 60_000, 40 * 60_000],
  always: [2 * 86_400_000, 5 * 60_000],
} as const;

/** Picks what a device does next and its byte rates. */
export function pickActivity(prng: Prng, kind: DeviceProfile["kind"]): [Activity, number, number] {
  const { entries, total } = MIX_ENTRIES[kind];
  let r = prng.next() * total;
  let activity: Activity = "idle";
  for (const [a, w] of entries) {
    r -= w;
    if (r < 0) {
      activity = a;
      break;
    }
  }
  const [dLo, dHi, uLo, uHi] = ACTIVITIES[activity];
  let down = prng.int(dLo, dHi);
  let up = prng.int(uLo, uHi);
  if (kind === "iot") {
    down = Math.floor(down / 4);
    up = Math.floor(up / 2);
  }
  return [activity, down, up];
}

/** The household: scripted devices when a scenario lists them, otherwise `count` random ones. */
export function createDevices(
  prng: Prng,
  seed: number,
  gatewayId: string,
  count: number,
  scripted: readonly ScenarioDevice[] | undefined,
): SimDevice[] {
  const specs = scripted && scripted.length > 0 ? scripted : null;
  const n = specs ? specs.length : count;
  const keyBase = seed ^ hashString(gatewayId);
  const devices: SimDevice[] = [];
  for (let i = 0; i < n; i++) {
    const spec = specs?.[i];
    const profile: DeviceProfile = { ...generateProfile(prng, spec?.kind) };
    if (spec?.mac) {
      profile.mac = spec.mac;
      profile.macPolicy = "vendor";
    }
    if (spec?.hostname !== undefined) profile.hostname = spec.hostname;
    if (spec?.band) {
      profile.homeBand = spec.band;
      profile.dualBand = spec.band !== "ethernet";
    }
    if (spec?.clientId) profile.clientIdStyle = spec.clientId;
    devices.push({
      index: i,
      id: spec?.id ?? `dev-${String(i + 1).padStart(2, "0")}`,
      profile,
      key: mix32(keyBase, i + 1),
      mac: profile.mac,
      clientId: clientIdFor(profile, profile.mac),
      state: "away",
      iface: null,
      connectedAt: 0,
      leftAt: -1,
      seenThisBoot: false,
      ip: null,
      downBps: 0,
      upBps: 0,
      downPps: 0,
      upPps: 0,
      rxBytes: new Counter(),
      txBytes: new Counter(),
      rxPackets: new Counter(),
      txPackets: new Counter(),
      activity: "idle",
      scriptedRates: null,
      gen: 0,
    });
  }
  return devices;
}
