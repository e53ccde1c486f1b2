/**
 * Deterministic `iw dev IF station dump` text for large tests: the same seed and count always
 * give the same bytes, written with iw 6.9's printf formats and label order (station.c), so the
 * fixture file fixtures/iw-station-dump/generated-250.txt can be checked against it.
 */
import { Prng } from "../../../common/prng.js";

/** Rates as parse_bitrate prints them, from 11a/g legacy to HE 160 MHz. */
const RATES = [
  "6.0 MBit/s",
  "54.0 MBit/s",
  "57.8 MBit/s MCS 5 short GI",
  "144.4 MBit/s MCS 15 short GI",
  "300.0 MBit/s MCS 15 40MHz short GI",
  "433.3 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 1",
  "866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2",
  "1733.3 MBit/s VHT-MCS 9 160MHz short GI VHT-NSS 2",
  "1200.9 MBit/s 80MHz HE-MCS 11 HE-NSS 2 HE-GI 0 HE-DCM 0",
  "2401.9 MBit/s 160MHz HE-MCS 11 HE-NSS 2 HE-GI 0 HE-DCM 0",
] as const;

export interface GenerateOptions {
  interface?: string;
  seed?: number;
  /** iw's `current time`, ms since the epoch. */
  nowMs?: number;
}

export function generateStationDump(count: number, options: GenerateOptions = {}): string {
  const ifName = options.interface ?? "phy1-ap0";
  const prng = new Prng(options.seed ?? 250);
  const nowMs = options.nowMs ?? 1_732_357_812_345;
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    // Locally administered, unique by index: 02:4c:<i>:... like the randomised MACs phones use.
    const mac = `02:4c:${[(i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, prng.int(0, 255)]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join(":")}`;
    const signal = prng.int(-88, -38);
    const chainA = signal - prng.int(1, 4);
    const chainB = signal - prng.int(2, 6);
    const rxPackets = prng.int(10, 5_000_000);
    const txPackets = prng.int(10, 5_000_000);
    const connected = prng.int(0, 864_000);
    const bootNs =
      900_000n * 1_000_000_000n - BigInt(connected) * 1_000_000_000n - BigInt(prng.int(0, 999_999_999));
    const lines = [
      `Station ${mac} (on ${ifName})`,
      `\tinactive time:\t${prng.int(0, 60_000)} ms`,
      `\trx bytes:\t${rxPackets * prng.int(60, 1400)}`,
      `\trx packets:\t${rxPackets}`,
      `\ttx bytes:\t${txPackets * prng.int(60, 1500)}`,
      `\ttx packets:\t${txPackets}`,
      `\ttx retries:\t${Math.floor(txPackets * prng.next() * 0.2)}`,
      `\ttx failed:\t${prng.int(0, 50)}`,
      `\trx drop misc:\t${prng.int(0, 20)}`,
      `\tsignal:  \t${signal} [${chainA}, ${chainB}] dBm`,
      `\tsignal avg:\t${signal + prng.int(-2, 2)} [${chainA}, ${chainB}] dBm`,
      `\ttx bitrate:\t${prng.pick(RATES)}`,
      `\ttx duration:\t${prng.int(0, 90_000_000)} us`,
      `\trx bitrate:\t${prng.pick(RATES)}`,
      `\trx duration:\t${prng.int(0, 9_000_000)} us`,
      `\tairtime weight: 256`,
      `\tauthorized:\tyes`,
      `\tauthenticated:\tyes`,
      `\tassociated:\tyes`,
      `\tpreamble:\tshort`,
      `\tWMM/WME:\tyes`,
      `\tMFP:\t\t${prng.next() < 0.5 ? "yes" : "no"}`,
      `\tTDLS peer:\tno`,
      `\tDTIM period:\t2`,
      `\tbeacon interval:100`,
      `\tshort slot time:yes`,
      `\tconnected time:\t${connected} seconds`,
      `\tassociated at [boottime]:\t${bootNs / 1_000_000_000n}.${String((bootNs % 1_000_000_000n) / 1_000_000n).padStart(3, "0")}s`,
      `\tassociated at:\t${nowMs - connected * 1000 - prng.int(0, 999)} ms`,
      `\tcurrent time:\t${nowMs} ms`,
    ];
    parts.push(`${lines.join("\n")}\n`);
  }
  return parts.join("");
}
