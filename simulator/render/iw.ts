/**
 * `iw` output, following iw's printf formats (station.c, interface.c, survey.c). iw has no JSON
 * mode. Traps reproduced on purpose: `signal:  \t` (two spaces and a tab), `beacon interval:100`
 * and `short slot time:yes` (no separator), `MFP:\t\t`, a non-padded `expected throughput`
 * fraction, and iw 6.17's order (station flags before the counters) on some gateways.
 */
import type { GatewayModel, SimRadio } from "../model.js";
import { stationInfos } from "../views.js";
import { type StationInfo, surveyInfo } from "../wifi.js";

/** `iw dev`: interfaces grouped by phy, newest phy first (the kernel lists phys that way). */
export function renderIwDev(model: GatewayModel): string {
  let out = "";
  for (const radio of [...model.radios].sort((a, b) => b.phy - a.phy)) {
    out += `phy#${radio.phy}\n${ifaceBlock(model, radio, "\t")}`;
  }
  return out;
}

/** `iw dev IF info`: the same block without indentation, plus the wiphy line. */
export function renderIwInfo(model: GatewayModel, radio: SimRadio): string {
  return ifaceBlock(model, radio, "");
}

function ifaceBlock(model: GatewayModel, radio: SimRadio, indent: string): string {
  const iface = model.iface(radio.iface);
  const wdev = `0x${((BigInt(radio.phy) << 32n) | 1n).toString(16)}`;
  const uptimeS = Math.floor(model.uptimeMs() / 1000);
  // Multicast frames queued by mac80211: mostly mDNS, SSDP and ARP.
  const mcPackets = uptimeS;
  const mcBytes = uptimeS * 152;
  let out = `${indent}Interface ${radio.iface}\n`;
  out += `${indent}\tifindex ${iface?.ifindex ?? 0}\n`;
  out += `${indent}\twdev ${wdev}\n`;
  out += `${indent}\taddr ${iface?.mac ?? "00:00:00:00:00:00"}\n`;
  out += `${indent}\tssid ${radio.ssid}\n`;
  out += `${indent}\ttype AP\n`;
  if (indent === "") out += `\twiphy ${radio.phy}\n`;
  out += `${indent}\tchannel ${radio.channel} (${radio.frequencyMhz} MHz), width: ${radio.widthMhz} MHz, center1: ${radio.center1Mhz} MHz\n`;
  out += `${indent}\ttxpower ${radio.txPowerDbm}.00 dBm\n`;
  out += `${indent}\tmulticast TXQ:\n`;
  out += `${indent}\t\tqsz-byt\tqsz-pkt\tflows\tdrops\tmarks\toverlmt\thashcol\ttx-bytes\ttx-packets\n`;
  out += `${indent}\t\t0\t0\t${mcPackets}\t0\t0\t0\t0\t${mcBytes % 4294967296}\t\t${mcPackets}\n`;
  return out;
}

const yesNo = (b: boolean) => (b ? "yes" : "no");

/** `iw dev IF station dump`. */
export function renderStationDump(model: GatewayModel, radio: SimRadio): string {
  let out = "";
  for (const s of stationInfos(model, radio.iface)) out += stationBlock(s, model.iwVersion === "6.17");
  return out;
}

function stationBlock(s: StationInfo, flagsFirst: boolean): string {
  const chain = (c: [number, number]) => `[${c[0]}, ${c[1]}] `;
  const counters =
    `\n\tinactive time:\t${s.inactiveMs} ms` +
    `\n\trx bytes:\t${s.rxBytes}` +
    `\n\trx packets:\t${s.rxPackets % 4294967296}` +
    `\n\ttx bytes:\t${s.txBytes}` +
    `\n\ttx packets:\t${s.txPackets % 4294967296}` +
    `\n\ttx retries:\t${s.txRetries % 4294967296}` +
    `\n\ttx failed:\t${s.txFailed % 4294967296}` +
    `\n\trx drop misc:\t${s.rxDropMisc}` +
    `\n\tsignal:  \t${s.signal} ${chain(s.chains)}dBm` +
    `\n\tsignal avg:\t${s.signalAvg} ${chain(s.chainsAvg)}dBm` +
    `\n\ttx bitrate:\t${s.txBitrate.text}` +
    `\n\ttx duration:\t${s.txDurationUs} us` +
    `\n\trx bitrate:\t${s.rxBitrate.text}` +
    `\n\trx duration:\t${s.rxDurationUs} us` +
    "\n\tairtime weight: 256" +
    (s.expectedThroughputKbps === null
      ? ""
      : `\n\texpected throughput:\t${throughput(s.expectedThroughputKbps)}Mbps`);
  const flags =
    "\n\tauthorized:\tyes" +
    "\n\tauthenticated:\tyes" +
    "\n\tassociated:\tyes" +
    `\n\tpreamble:\t${s.shortPreamble ? "short" : "long"}` +
    "\n\tWMM/WME:\tyes" +
    `\n\tMFP:\t\t${yesNo(s.mfp)}` +
    "\n\tTDLS peer:\tno";
  const tail =
    "\n\tDTIM period:\t2" +
    "\n\tbeacon interval:100" +
    "\n\tshort slot time:yes" +
    `\n\tconnected time:\t${s.connectedSeconds} seconds` +
    `\n\tassociated at [boottime]:\t${Math.floor(s.associatedAtBootMs / 1000)}.${String(s.associatedAtBootMs % 1000).padStart(3, "0")}s` +
    `\n\tassociated at:\t${s.associatedAtMs} ms` +
    `\n\tcurrent time:\t${s.currentTimeMs} ms\n`;
  const body = flagsFirst ? flags + counters + tail : counters + flags + tail;
  // iw 6.17 ends each station with an extra newline: blocks are separated by an empty line.
  return `Station ${s.mac} (on ${s.iface})${body}${flagsFirst ? "\n" : ""}`;
}

/** iw converts kbit/s to Mbit/s scaled by 1000 and prints `%u.%u`: the fraction is not zero-padded. */
function throughput(kbps: number): string {
  const thr = Math.floor((kbps * 1000) / 1024);
  return `${Math.floor(thr / 1000)}.${thr % 1000}`;
}

/** `iw dev IF survey dump`. */
export function renderSurveyDump(model: GatewayModel, radio: SimRadio): string {
  let out = "";
  for (const s of surveyInfo(model, radio, model.t)) {
    out += `Survey data from ${radio.iface}\n`;
    out += `\tfrequency:\t\t\t${s.frequencyMhz} MHz${s.inUse ? " [in use]" : ""}\n`;
    if (s.noiseDbm !== null) out += `\tnoise:\t\t\t\t${s.noiseDbm} dBm\n`;
    if (s.activeMs !== null) out += `\tchannel active time:\t\t${s.activeMs} ms\n`;
    if (s.busyMs !== null) out += `\tchannel busy time:\t\t${s.busyMs} ms\n`;
    if (s.rxMs !== null) out += `\tchannel receive time:\t\t${s.rxMs} ms\n`;
    if (s.txMs !== null) out += `\tchannel transmit time:\t\t${s.txMs} ms\n`;
  }
  return out;
}
