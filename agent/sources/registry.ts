/**
 * Every source the agent knows, how `--sources auto` picks among them, and how an explicit
 * `--sources a,b,c` list is checked. Where two sources give the same records (ip-neigh and arp,
 * proc-net-dev and sysfs-net, sysfs-fdb and bridge-fdb), auto picks one so the snapshot holds no
 * duplicates.
 */

import type { SnmpClientOptions } from "../snmp/snmpClient.js";
import { createSnmpSource, type SnmpSource } from "../snmp/snmpSource.js";
import { createArpSource } from "./arp/arpSource.js";
import { createConntrackSource } from "./conntrack/conntrackSource.js";
import { createDnsmasqSource } from "./dnsmasq/dnsmasqSource.js";
import { createBridgeFdbSource } from "./fdb/bridgeFdbSource.js";
import { createSysfsFdbSource } from "./fdb/sysfsFdbSource.js";
import { createIscDhcpdSource } from "./isc-dhcpd/iscDhcpdSource.js";
import { createIwSource } from "./iw/iwSource.js";
import { createKeaSource } from "./kea/keaSource.js";
import { createIpNeighSource } from "./neigh/ipNeighSource.js";
import { createProcNetDevSource } from "./netdev/procNetDevSource.js";
import { createSysClassNetSource } from "./netdev/sysClassNetSource.js";
import { createNlbwSource } from "./nlbw/nlbwSource.js";
import { createOdhcpdSource } from "./odhcpd/odhcpdSource.js";
import { createPingSource } from "./ping/pingSource.js";
import { createRouterSource } from "./router/routerSource.js";
import type { Source, SourceContext } from "./source.js";

export interface SourceSettings {
  /** Explicit dnsmasq lease file (under --root). */
  dnsmasqLeases?: string;
  /** Explicit ISC dhcpd lease file (under --root). */
  iscDhcpdLeases?: string;
  /** Hosts to measure latency to, besides the WAN gateway. */
  pingTargets?: readonly string[];
  /** The router to poll over SNMP; the `snmp` source exists only with it. */
  snmp?: SnmpClientOptions;
}

type SourceFactory = (settings: SourceSettings) => Source;

const FACTORIES = {
  dnsmasq: (s) => createDnsmasqSource(s.dnsmasqLeases ? { file: s.dnsmasqLeases } : {}),
  "isc-dhcpd": (s) => createIscDhcpdSource(s.iscDhcpdLeases ? { paths: [s.iscDhcpdLeases] } : {}),
  kea: () => createKeaSource(),
  odhcpd: () => createOdhcpdSource(),
  "ip-neigh": () => createIpNeighSource(),
  arp: () => createArpSource(),
  "sysfs-fdb": () => createSysfsFdbSource(),
  "bridge-fdb": () => createBridgeFdbSource(),
  "proc-net-dev": () => createProcNetDevSource(),
  "sysfs-net": () => createSysClassNetSource(),
  iw: () => createIwSource(),
  nlbw: () => createNlbwSource(),
  conntrack: () => createConntrackSource(),
  router: () => createRouterSource(),
  ping: (s) => createPingSource(s.pingTargets ? { targets: s.pingTargets } : {}),
  snmp: (s) => {
    if (!s.snmp) throw new Error("--sources snmp needs --snmp udp://HOST:PORT");
    return createSnmpSource(s.snmp);
  },
} satisfies Record<string, SourceFactory>;

export type SourceName = keyof typeof FACTORIES;
export const SOURCE_NAMES = Object.keys(FACTORIES) as SourceName[];

/** Among sources giving the same records, auto takes the first present. */
const ALTERNATIVES: readonly (readonly SourceName[])[] = [
  ["ip-neigh", "arp"],
  ["proc-net-dev", "sysfs-net"],
  // The same table without a process, and without VLAN ids (attachBridgePorts copes).
  ["sysfs-fdb", "bridge-fdb"],
  // nlbwmon zeroes the conntrack counters it reads: where it runs, conntrack would undercount.
  ["nlbw", "conntrack"],
];

/** Parses `--sources`: "auto" or a comma-separated list; every unknown name is reported at once. */
export function parseSourceList(value: string): SourceName[] | "auto" {
  if (value.trim() === "auto") return "auto";
  const names = value
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(SOURCE_NAMES as string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `--sources: unknown source${unknown.length === 1 ? "" : "s"} ${unknown.join(", ") || "(empty list)"}; ` +
        `choose from auto, ${SOURCE_NAMES.join(", ")}`,
    );
  }
  return [...new Set(names)] as SourceName[];
}

export function createSources(names: readonly SourceName[], settings: SourceSettings): Source[] {
  return names.map((n) => FACTORIES[n](settings));
}

/** The sources present on this gateway (under ctx.root), one of each group of alternatives. */
export async function detectSources(ctx: SourceContext, settings: SourceSettings): Promise<Source[]> {
  // An SNMP router is polled when one is configured; there is nothing to detect.
  const candidates = createSources(
    SOURCE_NAMES.filter((n) => n !== "snmp" || settings.snmp),
    settings,
  );
  const present = new Set<string>();
  await Promise.all(
    candidates.map(async (s) => {
      if (await s.detect(ctx).catch(() => false)) present.add(s.name);
    }),
  );
  for (const group of ALTERNATIVES) {
    const first = group.find((n) => present.has(n));
    for (const n of group) if (n !== first) present.delete(n);
  }
  return candidates.filter((s) => present.has(s.name));
}

/** Auto-detection is repeated this often, so a DHCP server or radio that appears later is picked up. */
export const REDETECT_INTERVAL_MS = 5 * 60_000;

/** The sources to run each cycle: a fixed list, or auto-detection refreshed every few minutes. */
export class SourceSelection {
  readonly #names: readonly SourceName[] | "auto";
  readonly #settings: SourceSettings;
  #sources: Source[] | null = null;
  #detectedAt = 0;

  constructor(names: readonly SourceName[] | "auto", settings: SourceSettings) {
    this.#names = names;
    this.#settings = settings;
    if (names !== "auto") this.#sources = createSources(names, settings);
  }

  /** The SNMP source when the agent polls only a router over SNMP: that router's boots are the gateway's. */
  snmpOnly(): SnmpSource | null {
    const only = this.#sources?.length === 1 && this.#names !== "auto" ? this.#sources[0] : undefined;
    return only?.name === "snmp" ? (only as SnmpSource) : null;
  }

  async current(ctx: SourceContext): Promise<Source[]> {
    const now = Date.now();
    if (
      this.#names === "auto" &&
      (this.#sources === null || now - this.#detectedAt >= REDETECT_INTERVAL_MS)
    ) {
      this.#sources = await detectSources(ctx, this.#settings);
      this.#detectedAt = now;
    }
    return this.#sources as Source[];
  }
}
