/**
 * What the radios report about each station at a given moment: signal that drifts slowly with a
 * little jitter, bitrates that follow the signal, retry and airtime counters that only grow.
 * Everything is a pure function of the model and the time, so a reading never consumes randomness.
 */

import type { WifiBand } from "./flavour.js";
import type { GatewayModel, SimDevice, SimRadio } from "./model.js";
import { noise } from "./prng.js";

export interface StationInfo {
  mac: string;
  iface: string;
  inactiveMs: number;
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
  txRetries: number;
  txFailed: number;
  rxDropMisc: number;
  signal: number;
  signalAvg: number;
  chains: [number, number];
  chainsAvg: [number, number];
  txBitrate: Bitrate;
  rxBitrate: Bitrate;
  txDurationUs: number;
  rxDurationUs: number;
  /** Present on drivers that estimate throughput (mt76); in kbit/s as nl80211 reports it. */
  expectedThroughputKbps: number | null;
  mfp: boolean;
  shortPreamble: boolean;
  connectedSeconds: number;
  /** Association time on the boot clock, ms since boot. */
  associatedAtBootMs: number;
  /** Association time on the gateway's clock, ms since epoch. */
  associatedAtMs: number;
  currentTimeMs: number;
}

export interface Bitrate {
  /** In units of 100 kbit/s, as nl80211 reports it. */
  rate: number;
  /** The text iw prints after the tab. */
  text: string;
}

// Rates in 100 kbit/s per MCS index (short or 0.8 µs guard interval), single and dual stream.
const HT20 = [72, 144, 217, 289, 433, 578, 650, 722];
const HT20_2SS = [144, 289, 433, 578, 867, 1156, 1300, 1444];
const VHT80 = [325, 650, 975, 1300, 1950, 2600, 2925, 3250, 3900, 4333];
const VHT80_2SS = [650, 1300, 1950, 2600, 3900, 5200, 5850, 6500, 7800, 8667];
const HE20 = [86, 172, 258, 344, 516, 688, 774, 860, 1032, 1147, 1290, 1434];
const HE20_2SS = [172, 344, 516, 688, 1032, 1376, 1549, 1721, 2065, 2294, 2581, 2868];
const HE80 = [360, 721, 1081, 1441, 2161, 2882, 3242, 3602, 4323, 4803, 5404, 6004];
const HE80_2SS = [721, 1441, 2161, 2882, 4323, 5764, 6485, 7205, 8646, 9607, 10809, 12009];

/** iw prints the 100 kbit/s value as `%d.%d`. */
export function formatRate(rate: number): string {
  return `${Math.floor(rate / 10)}.${rate % 10}`;
}

/** Bitrates depend on a handful of inputs; caching them spares rebuilding strings for every station. */
const bitrateCache = new Map<number, Bitrate>();

function bitrate(dev: SimDevice, band: "2.4ghz" | "5ghz", mcsWanted: number): Bitrate {
  const { phy, nss } = dev.profile;
  const mcs = Math.max(0, Math.min(11, mcsWanted));
  const cacheKey =
    (phy === "he" ? 0 : phy === "vht" ? 1 : 2) * 1000 + (band === "5ghz" ? 100 : 0) + nss * 20 + mcs;
  let cached = bitrateCache.get(cacheKey);
  if (!cached) {
    cached = computeBitrate(phy, nss, band, mcs);
    bitrateCache.set(cacheKey, cached);
  }
  return cached;
}

function computeBitrate(
  phy: "ht" | "vht" | "he",
  nss: 1 | 2,
  band: "2.4ghz" | "5ghz",
  mcsWanted: number,
): Bitrate {
  const pick = (one: number[], two: number[]): [number, number] => {
    const table = nss === 2 ? two : one;
    const mcs = Math.max(0, Math.min(table.length - 1, mcsWanted));
    return [mcs, table[mcs] ?? 0];
  };
  if (phy === "he") {
    const [mcs, rate] = band === "5ghz" ? pick(HE80, HE80_2SS) : pick(HE20, HE20_2SS);
    const width = band === "5ghz" ? " 80MHz" : "";
    return { rate, text: `${formatRate(rate)} MBit/s${width} HE-MCS ${mcs} HE-NSS ${nss} HE-GI 0 HE-DCM 0` };
  }
  if (phy === "vht" && band === "5ghz") {
    const [mcs, rate] = pick(VHT80, VHT80_2SS);
    return { rate, text: `${formatRate(rate)} MBit/s VHT-MCS ${mcs} 80MHz short GI VHT-NSS ${nss}` };
  }
  const [mcs, rate] = pick(HT20, HT20_2SS);
  // HT numbers MCS across streams: two streams use indexes 8-15.
  const index = nss === 2 ? mcs + 8 : mcs;
  return { rate, text: `${formatRate(rate)} MBit/s MCS ${index} short GI` };
}

/** Signal at the device's spot, dBm: slow drift of a few dB, plus jitter every 5 s. */
export function signalAt(dev: SimDevice, band: WifiBand, t: number): { now: number; avg: number } {
  // 2.4 GHz reaches further through walls.
  const bandGain = band === "2.4ghz" ? 6 : 0;
  const period = 600_000 + (dev.key % 900_000);
  const phase = ((dev.key >>> 8) % 1000) / 159.15;
  const smooth = dev.profile.baseSignalDbm + bandGain + 4 * Math.sin((2 * Math.PI * t) / period + phase);
  const avg = clamp(Math.round(smooth), -92, -22);
  const jitter = Math.round(2 * noise(dev.key, Math.floor(t / 5000)));
  return { now: clamp(avg + jitter, -94, -20), avg };
}

export function stationInfo(model: GatewayModel, dev: SimDevice, radio: SimRadio, t: number): StationInfo {
  const { now: signal, avg } = signalAt(dev, radio.band, t);
  const snr = signal - radio.noiseDbm;
  const mcs = Math.floor((snr - 8) / 3);
  const step = Math.floor(t / 10_000);
  const rxMcs = mcs - 1 - (Math.abs(noise(dev.key ^ 0x5bd1, step)) > 0.5 ? 1 : 0);
  const txPackets = dev.txPackets.value(t);
  const rxPackets = dev.rxPackets.value(t);
  const txBytes = dev.txBytes.value(t);
  const rxBytes = dev.rxBytes.value(t);
  // Retries depend on where the device usually is, not on momentary signal, so the counter only grows.
  const retryShare = clamp((-dev.profile.baseSignalDbm - 45) / 250, 0.005, 0.15);
  const busy = dev.downBps + dev.upBps > 20_000;
  let inactiveMs: number;
  if (dev.state === "lingering") inactiveMs = t - dev.leftAt + 400;
  else if (busy) inactiveMs = Math.floor((noise(dev.key ^ 0x11, Math.floor(t / 1000)) + 1) * 150);
  else inactiveMs = 200 + Math.floor((noise(dev.key ^ 0x22, Math.floor(t / 3000)) + 1) * 4500);
  const tx = bitrate(dev, radio.band, mcs);
  const connectedMs = t - dev.connectedAt;
  const hasThroughput = radio.band === "5ghz" && (model.seed & 1) === 1;
  return {
    mac: dev.mac,
    iface: radio.iface,
    inactiveMs,
    rxBytes,
    rxPackets,
    txBytes,
    txPackets,
    txRetries: Math.floor(txPackets * retryShare),
    txFailed: Math.floor((txPackets * retryShare) / 40),
    rxDropMisc: Math.floor(rxPackets / 2000),
    signal,
    signalAvg: avg,
    chains: [signal - 2, signal - 3 - (dev.key % 3)],
    chainsAvg: [avg - 2, avg - 3 - (dev.key % 3)],
    txBitrate: tx,
    rxBitrate: bitrate(dev, radio.band, rxMcs),
    txDurationUs: Math.floor((txBytes * 8) / 300),
    rxDurationUs: Math.floor((rxBytes * 8) / 200),
    expectedThroughputKbps: hasThroughput ? Math.floor(tx.rate * 100 * 0.62) : null,
    mfp: dev.profile.phy === "he",
    shortPreamble: radio.band === "2.4ghz",
    connectedSeconds: Math.floor(connectedMs / 1000),
    associatedAtBootMs: dev.connectedAt - model.bootT,
    associatedAtMs: model.clockMs(t) - connectedMs,
    currentTimeMs: model.clockMs(t),
  };
}

export interface SurveyInfo {
  frequencyMhz: number;
  inUse: boolean;
  noiseDbm: number | null;
  activeMs: number | null;
  busyMs: number | null;
  rxMs: number | null;
  txMs: number | null;
}

const FREQS_24 = [2412, 2417, 2422, 2427, 2432, 2437, 2442, 2447, 2452, 2457, 2462, 2467, 2472];
const FREQS_5 = [
  5180, 5200, 5220, 5240, 5260, 5280, 5300, 5320, 5500, 5520, 5540, 5560, 5580, 5600, 5620, 5640, 5660, 5680,
  5700, 5745, 5765, 5785, 5805, 5825,
];

/** `iw dev IF survey dump`: every channel of the band, only the one in use with measurements. */
export function surveyInfo(model: GatewayModel, radio: SimRadio, t: number): SurveyInfo[] {
  const iface = model.iface(radio.iface);
  const active = Math.max(0, t - radio.upAt);
  const rxAir = Math.floor((iface?.rxBytes.value(t) ?? 0) / 20_000);
  const txAir = Math.floor((iface?.txBytes.value(t) ?? 0) / 30_000);
  const interference = Math.floor(active * radio.interference);
  const busy = Math.min(active, interference + rxAir + txAir);
  const rx = Math.min(busy, Math.floor(interference * 0.8) + rxAir);
  const txMs = Math.min(active, txAir);
  const noiseNow = radio.noiseDbm + Math.round(noise(radio.phy + 7, Math.floor(t / 10_000)));
  const freqs = radio.band === "5ghz" ? FREQS_5 : FREQS_24;
  return freqs.map((f) =>
    f === radio.frequencyMhz
      ? { frequencyMhz: f, inUse: true, noiseDbm: noiseNow, activeMs: active, busyMs: busy, rxMs: rx, txMs }
      : {
          frequencyMhz: f,
          inUse: false,
          noiseDbm: null,
          activeMs: null,
          busyMs: null,
          rxMs: null,
          txMs: null,
        },
  );
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
