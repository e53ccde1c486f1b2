/**
 * A simulated gateway: the model plus everything a real gateway exposes. With a root directory it
 * writes its files under `root/<gatewayId>/` (lease file, procfs, sysfs, release files, and the
 * command outputs its `bin/iw`, `bin/ip`, `bin/bridge` and `bin/ubus` print); with SNMP options it serves the same state over
 * SNMP on 127.0.0.1. Nothing happens in the constructor; `start()` begins, `stop()` ends.
 */
import { chmodSync } from "node:fs";
import { join } from "node:path";
import {
  BRIDGE_SCRIPT,
  CONNTRACK_SCRIPT,
  IP_SCRIPT,
  IW_SCRIPT,
  NLBW_SCRIPT,
  pingScript,
  UBUS_SCRIPT,
} from "./binScripts.js";
import { GatewayFiles } from "./files.js";
import { flavourTools } from "./flavour.js";
import { echoRun, FAR_CLASSES } from "./lineQuality.js";
import { GatewayModel, type GatewayModelOptions } from "./model.js";
import { BRIDGE_SYSFS_DIR, renderBrforward, renderBridgePortNumbers } from "./render/brforward.js";
import { renderConntrackList, renderProcNfConntrack } from "./render/conntrack.js";
import {
  OPENWRT_DNSMASQ_CONF,
  OPENWRT_DNSMASQ_INCLUDED_FILES,
  renderDnsmasqLeases,
  renderOpenwrtDnsmasqConf,
} from "./render/dnsmasq.js";
import { renderIpAddrJson } from "./render/ipAddr.js";
import { renderBridgeFdb, renderBridgeFdbJson, renderIpNeigh, renderIpNeighJson } from "./render/iproute.js";
import { ISC_DHCPD_CONF, renderIscDhcpdConf, renderIscLeases } from "./render/iscDhcpd.js";
import { renderIwDev, renderIwInfo, renderStationDump, renderSurveyDump } from "./render/iw.js";
import { KEA_DHCP4_CONF, renderKeaDhcp4Conf, renderKeaLeases } from "./render/kea.js";
import { renderNlbwCsv, renderNlbwJson, renderNlbwJsonByHost } from "./render/nlbw.js";
import { renderBusyboxPingBody, renderIputilsPingBody } from "./render/ping.js";
import {
  renderBootId,
  renderLoadavg,
  renderMeminfo,
  renderProcNetArp,
  renderProcNetDev,
  renderProcNetRoute,
  renderUptime,
  sysfsStatistics,
} from "./render/proc.js";
import {
  renderDebianVersion,
  renderDmiProductName,
  renderDmiSysVendor,
  renderKernelHostname,
  renderKernelOsrelease,
  renderOpenwrtRelease,
  renderOsRelease,
  renderUbusSystemBoard,
} from "./render/release.js";
import { SnmpAgent, type SnmpAgentOptions } from "./snmpAgent.js";
import {
  fdbEntries,
  interfaceRecords,
  kernelStats,
  leaseRecords,
  neighborEntries,
  neighborRecords,
  radioRecords,
  stationRecords,
} from "./views.js";

export interface SimulatedGatewayOptions extends GatewayModelOptions {
  /** Files go under `root/<gatewayId>/`; without a root nothing is written (model only). */
  root?: string;
  /** Simulated time per wall-clock time while running in real time; default 1. */
  speed?: number;
  /** Wall-clock ms between ticks in real time; default 1000. */
  tickMs?: number;
  /** After start(), advance with the wall clock (default true); false leaves time to advance(). */
  realtime?: boolean;
  /** Serve the gateway over SNMP on 127.0.0.1. */
  snmp?: SnmpAgentOptions;
}

/** Where each lease format lives on a real gateway. */
export const LEASE_FILE_PATHS = {
  dnsmasq: "tmp/dhcp.leases",
  "isc-dhcpd": "var/lib/dhcp/dhcpd.leases",
  kea: "var/lib/kea/kea-leases4.csv",
} as const;

export class SimulatedGateway extends GatewayModel {
  /** `root/<gatewayId>`, or null when the gateway writes no files. */
  readonly dir: string | null;
  readonly speed: number;
  private readonly tickMs: number;
  private readonly realtime: boolean;
  private readonly snmpOptions: SnmpAgentOptions | undefined;
  private files: GatewayFiles | null = null;
  private snmp: SnmpAgent | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private renderedLeaseVersion = -1;
  private leaseFileText = "";
  private rendered: ReadonlyMap<string, string> | null = null;
  private renderedBinary: ReadonlyMap<string, Uint8Array> = new Map();
  private renderedAt = -1;
  private identity: [string, string][] | null = null;
  private wallStart = 0;
  private simStart = 0;

  constructor(options: SimulatedGatewayOptions = {}) {
    super(options);
    this.dir = options.root ? join(options.root, this.gatewayId) : null;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new RangeError(`speed must be greater than 0, got ${this.speed}`);
    this.tickMs = options.tickMs ?? 1000;
    this.realtime = options.realtime ?? true;
    this.snmpOptions = options.snmp;
    // Every state change is an event; between events the state moves only with time.
    this.onEvent(() => {
      this.rendered = null;
    });
  }

  get running(): boolean {
    return this.started;
  }

  /** The SNMP agent's UDP port once started (useful with port 0). */
  get snmpPort(): number | null {
    return this.snmp?.port ?? null;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Runs what is due at the current time (the household present at the start).
    this.runUntil(this.t);
    if (this.dir) {
      this.files = new GatewayFiles(this.dir);
      this.installCommands();
      this.flush();
    }
    if (this.snmpOptions) {
      this.snmp = await SnmpAgent.start(this, this.snmpOptions);
    }
    if (this.realtime) {
      this.wallStart = performance.now();
      this.simStart = this.t;
      this.timer = setInterval(() => this.tick(), this.tickMs);
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.realtime) this.tick();
    this.started = false;
    const snmp = this.snmp;
    this.snmp = null;
    await snmp?.close();
  }

  override advance(ms: number): void {
    super.advance(ms);
    if (this.started) this.publish();
  }

  /** Brings simulated time up to the wall clock (times speed) and publishes the result. */
  tick(): void {
    const target = this.simStart + Math.floor((performance.now() - this.wallStart) * this.speed);
    this.runUntil(target);
    this.publish();
  }

  /** Writes the files and refreshes the SNMP agent from the current state. */
  publish(): void {
    this.flush();
    this.snmp?.update();
  }

  // ------------------------------------------------------------ state accessors

  leaseRecords() {
    return leaseRecords(this);
  }
  neighborRecords() {
    return neighborRecords(this);
  }
  interfaceRecords() {
    return interfaceRecords(this);
  }
  stationRecords() {
    return stationRecords(this);
  }
  radioRecords() {
    return radioRecords(this);
  }
  fdbEntries() {
    return fdbEntries(this);
  }
  uptimeSeconds(): number {
    return this.uptimeMs() / 1000;
  }

  // ------------------------------------------------------------ files

  private installCommands(): void {
    const files = this.files;
    if (!files) return;
    files.write("bin/iw", IW_SCRIPT, 0o755);
    files.write("bin/ip", IP_SCRIPT, 0o755);
    files.write("bin/bridge", BRIDGE_SCRIPT, 0o755);
    const tools = flavourTools(this.leaseFormat);
    if (tools.nlbw) files.write("bin/nlbw", NLBW_SCRIPT, 0o755);
    if (tools.conntrack) files.write("bin/conntrack", CONNTRACK_SCRIPT, 0o755);
    if (tools.ubus) files.write("bin/ubus", UBUS_SCRIPT, 0o755);
    files.write("bin/ping", pingScript(tools.ping), 0o755);
    if (this.dir) chmodSync(join(this.dir, "bin"), 0o755);
  }

  /** Renders and writes every file; unchanged files are left alone. */
  flush(): void {
    const files = this.files;
    if (!files) return;
    for (const [path, content] of this.renderedFiles()) files.write(path, content);
    for (const [path, content] of this.renderedBinaryFiles()) files.write(path, content);
  }

  /** The binary files (sysfs tables) of renderedFiles()'s instant, apart so that every text file stays a string. */
  renderedBinaryFiles(): ReadonlyMap<string, Uint8Array> {
    this.renderedFiles();
    return this.renderedBinary;
  }

  /**
   * Every file the gateway exposes, relative to its root, as of the current simulated time:
   * the lease file, procfs/sysfs, and under `.sim/` the outputs its bin/ commands print.
   * Rendered once per simulated instant, whoever asks (the file writer or an in-memory agent).
   */
  renderedFiles(): ReadonlyMap<string, string> {
    if (this.rendered && this.renderedAt === this.t) return this.rendered;
    const out = new Map<string, string>();
    if (this.leaseVersion !== this.renderedLeaseVersion) {
      this.leaseFileText = this.renderLeaseFile();
      this.renderedLeaseVersion = this.leaseVersion;
    }
    out.set(LEASE_FILE_PATHS[this.leaseFormat], this.leaseFileText);
    out.set("proc/sys/kernel/random/boot_id", renderBootId(this));
    out.set("proc/uptime", renderUptime(this));
    const connected = this.leaseRecords().length;
    out.set("proc/net/route", renderProcNetRoute(this));
    out.set("proc/loadavg", renderLoadavg(this, connected));
    out.set("proc/meminfo", renderMeminfo(connected));
    const neighbors = neighborEntries(this);
    out.set("proc/net/arp", renderProcNetArp(this, neighbors));
    out.set("proc/net/dev", renderProcNetDev(this));
    for (const iface of this.interfaces) {
      const base = `sys/class/net/${iface.name}`;
      for (const [name, value] of sysfsStatistics(kernelStats(this, iface))) {
        out.set(`${base}/statistics/${name}`, value);
      }
      out.set(`${base}/address`, `${iface.mac}\n`);
      out.set(`${base}/ifindex`, `${iface.ifindex}\n`);
      out.set(`${base}/mtu`, `${iface.mtu}\n`);
      out.set(`${base}/operstate`, iface.kind === "loopback" ? "unknown\n" : "up\n");
      out.set(`${base}/type`, iface.kind === "loopback" ? "772\n" : "1\n");
    }
    out.set(".sim/iw-dev.txt", renderIwDev(this));
    for (const radio of this.radios) {
      out.set(`.sim/iw-${radio.iface}-info.txt`, renderIwInfo(this, radio));
      out.set(`.sim/iw-${radio.iface}-station-dump.txt`, renderStationDump(this, radio));
      out.set(`.sim/iw-${radio.iface}-survey-dump.txt`, renderSurveyDump(this, radio));
    }
    for (const [suffix, family] of [
      ["", "all"],
      ["-4", "ipv4"],
      ["-6", "ipv6"],
    ] as const) {
      out.set(`.sim/ip${suffix}-neigh.txt`, renderIpNeigh(this, family, neighbors));
      out.set(`.sim/ip${suffix}-neigh.json`, renderIpNeighJson(this, family, neighbors));
    }
    const fdb = fdbEntries(this);
    out.set(".sim/bridge-fdb.txt", renderBridgeFdb(this, fdb));
    out.set(".sim/bridge-fdb.json", renderBridgeFdbJson(this, fdb));
    for (const [path, content] of renderBridgePortNumbers(this))
      out.set(`${BRIDGE_SYSFS_DIR}/${path}`, content);
    this.renderedBinary = new Map([[`${BRIDGE_SYSFS_DIR}/brforward`, renderBrforward(this, fdb)]]);
    for (const [path, content] of this.identityFiles()) out.set(path, content);
    // Address lifetimes count down, so `ip -j addr` is rendered every instant.
    out.set(".sim/ip-addr.json", renderIpAddrJson(this) ?? "[]\n");
    for (const iface of this.interfaces) {
      out.set(`.sim/ip-addr-${iface.name}.json`, renderIpAddrJson(this, iface.name) ?? "[]\n");
    }
    this.renderTrafficAndLine(out);
    // The gateway's clock, for a harness that runs an agent against this directory.
    out.set(".sim/clock", `${this.clockMs()}\n`);
    this.rendered = out;
    this.renderedAt = this.t;
    return out;
  }

  /** Release files, kernel names and `ubus call system board`: fixed for the gateway's life, so rendered once. */
  private identityFiles(): [string, string][] {
    if (this.identity) return this.identity;
    const osRelease = renderOsRelease(this);
    const files: [string, string | null][] = [
      ["etc/openwrt_release", renderOpenwrtRelease(this)],
      [OPENWRT_DNSMASQ_CONF, this.leaseFormat === "dnsmasq" ? renderOpenwrtDnsmasqConf(this) : null],
      ...OPENWRT_DNSMASQ_INCLUDED_FILES.map(([path, text]): [string, string | null] => [
        path,
        this.leaseFormat === "dnsmasq" ? text : null,
      ]),
      [ISC_DHCPD_CONF, this.leaseFormat === "isc-dhcpd" ? renderIscDhcpdConf(this) : null],
      [KEA_DHCP4_CONF, this.leaseFormat === "kea" ? renderKeaDhcp4Conf(this) : null],
      ["usr/lib/os-release", osRelease],
      ["etc/os-release", osRelease],
      ["etc/debian_version", renderDebianVersion(this)],
      ["proc/sys/kernel/hostname", renderKernelHostname(this)],
      ["proc/sys/kernel/osrelease", renderKernelOsrelease(this)],
      ["sys/class/dmi/id/sys_vendor", renderDmiSysVendor(this)],
      ["sys/class/dmi/id/product_name", renderDmiProductName(this)],
      [".sim/ubus-system-board.json", renderUbusSystemBoard(this)],
    ];
    this.identity = files.filter((f): f is [string, string] => f[1] !== null);
    return this.identity;
  }

  /** Per-host traffic (nlbw on OpenWrt, conntrack on Debian-style gateways) and what ping prints. */
  private renderTrafficAndLine(out: Map<string, string>): void {
    const tools = flavourTools(this.leaseFormat);
    if (tools.nlbw) {
      const rows = this.traffic.nlbwRows(this.t);
      out.set(".sim/nlbw.json", renderNlbwJson(rows));
      out.set(".sim/nlbw.csv", renderNlbwCsv(rows));
      out.set(".sim/nlbw-host.json", renderNlbwJsonByHost(rows));
    }
    if (tools.conntrack) {
      const entries = this.traffic.conntrackEntries(this.t);
      out.set("proc/net/nf_conntrack", renderProcNfConntrack(entries));
      out.set(".sim/conntrack-extended.txt", renderConntrackList(entries));
    }
    const body = tools.ping === "iputils" ? renderIputilsPingBody : renderBusyboxPingBody;
    // The first hop by its address; any other host by its distance class (see pingScript).
    out.set(`.sim/ping-${this.wanGatewayIp}.txt`, body(echoRun(this, null, this.t)));
    FAR_CLASSES.forEach((_, k) => {
      out.set(`.sim/ping-far-${k}.txt`, body(echoRun(this, k, this.t)));
    });
  }

  renderLeaseFile(): string {
    if (this.leaseFormat === "isc-dhcpd") return renderIscLeases(this);
    if (this.leaseFormat === "kea") return renderKeaLeases(this);
    return renderDnsmasqLeases(this);
  }
}
