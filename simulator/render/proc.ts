/**
 * procfs and sysfs files, printed with the kernel's own formats:
 * `/proc/net/arp` (net/ipv4/arp.c), `/proc/net/dev` (net/core/net-procfs.c), `/proc/uptime`
 * (fs/proc/uptime.c) and one number per file under `/sys/class/net/IF/statistics/`.
 */
import type { GatewayModel } from "../model.js";
import { hashString } from "../prng.js";
import { type KernelStats, kernelStats, type NeighborEntry, neighborEntries } from "../views.js";
import { hexLeft, left, right } from "./format.js";

const ARP_HEADER = "IP address       HW type     Flags       HW address            Mask     Device\n";
/** ARPHRD_ETHER */
const HW_ETHER = 1;
/** ATF_COM: the entry is complete. */
const ATF_COM = 0x2;

/** IPv4 neighbours in the ARP table's hash order; incomplete and failed entries show an all-zero MAC. */
export function renderProcNetArp(
  model: GatewayModel,
  neighbors: NeighborEntry[] = neighborEntries(model),
): string {
  const entries = neighbors
    .filter((n) => n.family === "ipv4")
    .map((n) => ({ n, bucket: hashString(n.ip) }))
    .sort((a, b) => a.bucket - b.bucket);
  let out = ARP_HEADER;
  for (const { n } of entries) {
    const complete = n.state !== "failed" && n.mac !== null;
    const mac = complete ? (n.mac as string) : "00:00:00:00:00:00";
    // "%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n"
    out += `${left(n.ip, 16)} 0x${hexLeft(HW_ETHER, 10)}0x${hexLeft(complete ? ATF_COM : 0, 10)}${left(mac, 17)}     ${left("*", 8)} ${n.interface}\n`;
  }
  return out;
}

const DEV_HEADER =
  "Inter-|   Receive                                                |  Transmit\n" +
  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

export function renderProcNetDev(model: GatewayModel): string {
  let out = DEV_HEADER;
  for (const iface of model.interfaces) out += procNetDevLine(iface.name, kernelStats(model, iface));
  return out;
}

/** "%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n" */
export function procNetDevLine(name: string, s: KernelStats): string {
  const cols: [number, number][] = [
    [s.rx_bytes, 7],
    [s.rx_packets, 7],
    [s.rx_errors, 4],
    [s.rx_dropped + s.rx_missed_errors, 4],
    [s.rx_fifo_errors, 4],
    [s.rx_length_errors + s.rx_over_errors + s.rx_crc_errors + s.rx_frame_errors, 5],
    [s.rx_compressed, 10],
    [s.multicast, 9],
    [s.tx_bytes, 8],
    [s.tx_packets, 7],
    [s.tx_errors, 4],
    [s.tx_dropped, 4],
    [s.tx_fifo_errors, 4],
    [s.collisions, 5],
    [s.tx_carrier_errors + s.tx_aborted_errors + s.tx_window_errors + s.tx_heartbeat_errors, 7],
    [s.tx_compressed, 10],
  ];
  return `${right(name, 6)}: ${cols.map(([v, w]) => right(v, w)).join(" ")}\n`;
}

/** Idle time is summed over CPUs; a two-core router is mostly idle. */
const CPUS = 2;
const IDLE_SHARE = 0.93;

/** "%lu.%02lu %lu.%02lu\n": uptime and idle seconds with centiseconds. */
export function renderUptime(model: GatewayModel): string {
  const up = Math.floor(model.uptimeMs() / 10);
  const idle = Math.floor(up * CPUS * IDLE_SHARE);
  const cs = (x: number) => `${Math.floor(x / 100)}.${String(x % 100).padStart(2, "0")}`;
  return `${cs(up)} ${cs(idle)}\n`;
}

export function renderBootId(model: GatewayModel): string {
  return `${model.bootId}\n`;
}

/** Files under /sys/class/net/IF/statistics/, each "%llu\n". */
export function sysfsStatistics(stats: KernelStats): [string, string][] {
  return Object.entries(stats).map(([name, value]) => [name, `${value}\n`]);
}

/** `/proc/net/route` stores IPv4 addresses as host-order (little-endian) hex. */
function routeHex(ip: string): string {
  return ip
    .split(".")
    .reverse()
    .map((o) => Number(o).toString(16).padStart(2, "0").toUpperCase())
    .join("");
}

/**
 * `/proc/net/route` as the kernel prints it ("%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u",
 * each line padded to 127 characters): the default route via the WAN port, then the LAN subnet.
 */
export function renderProcNetRoute(model: GatewayModel): string {
  const line = (fields: (string | number)[]) => `${fields.join("\t")}`.padEnd(127, " ");
  const header = line([
    "Iface",
    "Destination",
    "Gateway ",
    "Flags",
    "RefCnt",
    "Use",
    "Metric",
    "Mask",
    "\tMTU",
    "Window",
    "IRTT",
  ]);
  const wan = line(["eth1", "00000000", routeHex(model.wanGatewayIp), "0003", 0, 0, 0, "00000000", 0, 0, 0]);
  const lan = line([
    "br-lan",
    routeHex(model.lan.networkIp),
    "00000000",
    "0001",
    0,
    0,
    0,
    routeHex(model.lan.netmaskIp),
    0,
    0,
    0,
  ]);
  return `${header}\n${wan}\n${lan}\n`;
}

/** `/proc/loadavg`: a light load that follows the number of connected devices. */
export function renderLoadavg(model: GatewayModel, connected: number): string {
  const load = (0.02 + connected * 0.01).toFixed(2);
  return `${load} ${load} ${load} 1/${80 + connected} ${1000 + (hashString(model.gatewayId) % 30000)}\n`;
}

/** `/proc/meminfo` of a 256 MiB router (the first lines; readers look keys up by name). */
export function renderMeminfo(connected: number): string {
  const kb = (n: number) => `${String(n).padStart(8, " ")} kB`;
  const available = 180_000 - connected * 200;
  return `MemTotal:       ${kb(250_000)}\nMemFree:        ${kb(available - 40_000)}\nMemAvailable:   ${kb(available)}\nBuffers:        ${kb(4_000)}\nCached:         ${kb(40_000)}\n`;
}
