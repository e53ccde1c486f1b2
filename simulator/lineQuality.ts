/**
 * The gateway's line as ping sees it: round trips to the provider's first hop (the WAN gateway)
 * and to hosts further out, with jitter, queueing delay that grows with the WAN load
 * (bufferbloat), rare lost echoes and now and then a bad spell with heavy loss. Each gateway gets
 * an access type and its figures from a hash of its seed and id; each echo's round trip is a
 * pure function of the time (10 s steps) and the target, so a run reads the same whenever it is
 * rendered and nothing is drawn from the model's random stream.
 */
import type { GatewayModel } from "./model.js";
import { hashString, mix32, noise } from "./prng.js";

/** Echoes per run: what the agent asks for (`ping -c 3`). */
export const ECHOES = 3;
/** The round trips change every this many ms of simulated time. */
const STEP_MS = 10_000;
/** Bad spells are decided per window of this length... */
const SPELL_MS = 300_000;
/** ...and this share of windows is one. */
const SPELL_SHARE = 0.03;
/** Hosts beyond the first hop fall in a few distance classes (a CDN edge, a national, a continental, an overseas host). */
export const FAR_CLASSES = [
  { extraUs: 3_500, ttl: 59 },
  { extraUs: 9_000, ttl: 57 },
  { extraUs: 17_000, ttl: 117 },
  { extraUs: 85_000, ttl: 49 },
] as const;

const ACCESS = {
  fiber: { hopUs: [900, 2_500], jitterUs: 300, bloatUs: 4_000, capacity: 60_000_000, lossPpm: 1_000 },
  cable: { hopUs: [7_000, 12_000], jitterUs: 2_500, bloatUs: 25_000, capacity: 40_000_000, lossPpm: 4_000 },
  dsl: { hopUs: [9_000, 18_000], jitterUs: 1_200, bloatUs: 45_000, capacity: 12_000_000, lossPpm: 3_000 },
} as const;
export type AccessType = keyof typeof ACCESS;

export interface LineProfile {
  access: AccessType;
  /** Round trip to the first hop on an idle line, µs. */
  hopUs: number;
  jitterUs: number;
  /** Extra queueing delay when the downlink is full, µs. */
  bloatUs: number;
  /** Downlink capacity, bytes per second. */
  capacity: number;
  /** Chance of losing an echo on a good line, per million. */
  lossPpm: number;
  key: number;
}

const profiles = new WeakMap<GatewayModel, LineProfile>();

export function lineProfile(model: GatewayModel): LineProfile {
  const cached = profiles.get(model);
  if (cached) return cached;
  const key = mix32(model.seed, hashString(model.gatewayId) ^ 0x11e9);
  const kinds = Object.keys(ACCESS) as AccessType[];
  const access = kinds[key % kinds.length] as AccessType;
  const spec = ACCESS[access];
  const [lo, hi] = spec.hopUs;
  const profile: LineProfile = {
    access,
    hopUs: lo + ((key >>> 8) % (hi - lo)),
    jitterUs: spec.jitterUs,
    bloatUs: spec.bloatUs,
    capacity: spec.capacity,
    lossPpm: spec.lossPpm,
    key,
  };
  profiles.set(model, profile);
  return profile;
}

/** One `ping -c 3` run: each echo's round trip in µs, or null when it was lost. */
export interface EchoRun {
  ttl: number;
  rttsUs: (number | null)[];
  /** What iputils prints as `time Nms`: from the first request to the end of the run. */
  elapsedMs: number;
}

/**
 * A run at time t towards the first hop (`far` null) or a host of a distance class. `salt`
 * separates hosts of the same class so they do not lose the same echoes.
 */
export function echoRun(model: GatewayModel, far: number | null, t: number, salt = 0): EchoRun {
  const p = lineProfile(model);
  const step = Math.floor(t / STEP_MS);
  const key = mix32(p.key ^ salt, far === null ? 0xf1 : far + 1);
  const badSpell = noise(p.key ^ 0xbad, Math.floor(t / SPELL_MS)) > 1 - 2 * SPELL_SHARE;
  const wan = model.iface("eth1");
  const load = wan ? Math.min(1, wan.rxBytes.rate / p.capacity) : 0;
  const extra = far === null ? 0 : (FAR_CLASSES[far]?.extraUs ?? 0);
  const base = p.hopUs + extra + Math.round(load * load * p.bloatUs) + (badSpell ? 4 * p.jitterUs : 0);
  const lossPpm = badSpell ? 350_000 : p.lossPpm;
  const rttsUs: (number | null)[] = [];
  for (let i = 0; i < ECHOES; i++) {
    const draw = mix32(key, step * 8 + i);
    if (draw % 1_000_000 < lossPpm) {
      rttsUs.push(null);
      continue;
    }
    const spread = noise(key ^ 0x5eed, step * 8 + i) + 1;
    // A rare echo waits behind a burst: the long tail that makes jitter.
    const spike = (draw >>> 20) % 100 < 3 ? 6 * p.jitterUs : 0;
    rttsUs.push(base + Math.round(spread * p.jitterUs) + spike);
  }
  const lastUs = rttsUs[ECHOES - 1];
  // The last request's reply ends the run; without one, ping waits its -W second for it.
  const elapsedMs =
    (ECHOES - 1) * 1000 + (lastUs === null || lastUs === undefined ? 1000 : Math.round(lastUs / 1000)) + 1;
  return { ttl: far === null ? 64 : (FAR_CLASSES[far]?.ttl ?? 64), rttsUs, elapsedMs };
}
