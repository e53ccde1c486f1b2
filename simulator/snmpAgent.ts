/**
 * The simulated gateway over SNMP (net-snmp's agent, on 127.0.0.1 only): SNMPv2-MIB system
 * group, HOST-RESOURCES-MIB hrSystemUptime, SNMP-FRAMEWORK-MIB engine objects, IF-MIB
 * ifTable/ifXTable, IP-MIB ipNetToPhysicalTable and BRIDGE-MIB base and FDB tables, answering
 * v2c (community `public`) and v3 (one authPriv SHA/AES user). Values are the same state the
 * files show and are refreshed on every publish.
 *
 * Traps handled: net-snmp treats port 0 as unset and binds 161, so a port is required; its
 * agent only encodes Counter64 from 8-byte Buffers; its SNMPv3 engine boots are fixed unless
 * set, so they follow the gateway's reboots; the InetAddress index of ipNetToPhysicalTable is
 * length-prefixed while the MAC index of dot1dTpFdbTable is a fixed 6 octets.
 */
import { once } from "node:events";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import type { GatewayModel, SimInterface } from "./model.js";
import { hashString, mix32 } from "./prng.js";
import { unameVersion } from "./routerModels.js";
import { fdbEntries, kernelStats, type NeighborEntry, neighborEntries } from "./views.js";

export interface SnmpAgentOptions {
  /** UDP port on 127.0.0.1 (1-65535; 0 is not allowed, net-snmp would bind 161). */
  port: number;
  /** v2c community; default `public`. */
  community?: string;
  /** An SNMPv3 user with SHA authentication and AES privacy (authPriv). */
  user?: { name: string; authKey: string; privKey: string };
}

interface Mib {
  registerProvider(provider: unknown): void;
  setScalarValue(name: string, value: unknown): void;
  addTableRow(name: string, row: unknown[]): void;
  deleteTableRow(name: string, rowIndex: unknown[]): void;
  setTableSingleCell(name: string, column: number, rowIndex: unknown[], value: unknown): void;
}
interface Agent {
  getMib(): Mib;
  getAuthorizer(): { addCommunity(c: string): void; addUser(u: unknown): void };
  close(callback?: () => void): void;
  engine: { engineBoots: number };
  listener: { sockets: Record<string, import("node:dgram").Socket> };
}
interface NetSnmp {
  createAgent(options: unknown, callback: (error: Error | null) => void): Agent;
  ObjectType: Record<string, number>;
  MibProviderType: Record<"Scalar" | "Table", number>;
  MaxAccess: Record<string, number>;
  SecurityLevel: Record<string, number>;
  AuthProtocols: Record<string, number>;
  PrivProtocols: Record<string, number>;
}

const snmp = createRequire(import.meta.url)("net-snmp") as NetSnmp;
const T = snmp.ObjectType as Record<
  "Integer" | "OctetString" | "OID" | "Counter" | "Gauge" | "TimeTicks" | "Counter64",
  number
>;
const READ_ONLY = snmp.MaxAccess["read-only"];
const HIDDEN = snmp.MaxAccess["not-accessible"];

/** snmpd starts this long after the kernel, so sysUpTime lags hrSystemUptime. */
const SNMPD_START_DELAY_MS = 10_000;
const TWO_32 = 4294967296;

interface Column {
  number: number;
  name: string;
  type: number;
  hidden?: boolean;
}

interface TableSpec {
  name: string;
  oid: string;
  columns: Column[];
  index?: { columnName: string; length?: number }[];
  augments?: string;
}

/** IANAifType values for the interface kinds. */
const IF_TYPES = { loopback: 24, ethernet: 6, bridge: 209, wifi: 71 } as const;

const TABLES: TableSpec[] = [
  {
    name: "ifTable",
    oid: "1.3.6.1.2.1.2.2.1",
    columns: [
      { number: 1, name: "ifIndex", type: T.Integer },
      { number: 2, name: "ifDescr", type: T.OctetString },
      { number: 3, name: "ifType", type: T.Integer },
      { number: 4, name: "ifMtu", type: T.Integer },
      { number: 5, name: "ifSpeed", type: T.Gauge },
      { number: 6, name: "ifPhysAddress", type: T.OctetString },
      { number: 7, name: "ifAdminStatus", type: T.Integer },
      { number: 8, name: "ifOperStatus", type: T.Integer },
      { number: 9, name: "ifLastChange", type: T.TimeTicks },
      { number: 10, name: "ifInOctets", type: T.Counter },
      { number: 11, name: "ifInUcastPkts", type: T.Counter },
      { number: 13, name: "ifInDiscards", type: T.Counter },
      { number: 14, name: "ifInErrors", type: T.Counter },
      { number: 16, name: "ifOutOctets", type: T.Counter },
      { number: 17, name: "ifOutUcastPkts", type: T.Counter },
      { number: 19, name: "ifOutDiscards", type: T.Counter },
      { number: 20, name: "ifOutErrors", type: T.Counter },
    ],
    index: [{ columnName: "ifIndex" }],
  },
  {
    name: "ifXTable",
    oid: "1.3.6.1.2.1.31.1.1.1",
    columns: [
      { number: 1, name: "ifName", type: T.OctetString },
      { number: 2, name: "ifInMulticastPkts", type: T.Counter },
      { number: 3, name: "ifInBroadcastPkts", type: T.Counter },
      { number: 4, name: "ifOutMulticastPkts", type: T.Counter },
      { number: 5, name: "ifOutBroadcastPkts", type: T.Counter },
      { number: 6, name: "ifHCInOctets", type: T.Counter64 },
      { number: 7, name: "ifHCInUcastPkts", type: T.Counter64 },
      { number: 8, name: "ifHCInMulticastPkts", type: T.Counter64 },
      { number: 9, name: "ifHCInBroadcastPkts", type: T.Counter64 },
      { number: 10, name: "ifHCOutOctets", type: T.Counter64 },
      { number: 11, name: "ifHCOutUcastPkts", type: T.Counter64 },
      { number: 12, name: "ifHCOutMulticastPkts", type: T.Counter64 },
      { number: 13, name: "ifHCOutBroadcastPkts", type: T.Counter64 },
      { number: 15, name: "ifHighSpeed", type: T.Gauge },
      { number: 18, name: "ifAlias", type: T.OctetString },
    ],
    augments: "ifTable",
  },
  {
    name: "ipNetToPhysicalTable",
    oid: "1.3.6.1.2.1.4.35.1",
    columns: [
      { number: 1, name: "ipNetToPhysicalIfIndex", type: T.Integer, hidden: true },
      { number: 2, name: "ipNetToPhysicalNetAddressType", type: T.Integer, hidden: true },
      { number: 3, name: "ipNetToPhysicalNetAddress", type: T.OctetString, hidden: true },
      { number: 4, name: "ipNetToPhysicalPhysAddress", type: T.OctetString },
      { number: 5, name: "ipNetToPhysicalLastUpdated", type: T.TimeTicks },
      { number: 6, name: "ipNetToPhysicalType", type: T.Integer },
      { number: 7, name: "ipNetToPhysicalState", type: T.Integer },
      { number: 8, name: "ipNetToPhysicalRowStatus", type: T.Integer },
    ],
    index: [
      { columnName: "ipNetToPhysicalIfIndex" },
      { columnName: "ipNetToPhysicalNetAddressType" },
      { columnName: "ipNetToPhysicalNetAddress" },
    ],
  },
  {
    name: "dot1dBasePortTable",
    oid: "1.3.6.1.2.1.17.1.4.1",
    columns: [
      { number: 1, name: "dot1dBasePort", type: T.Integer },
      { number: 2, name: "dot1dBasePortIfIndex", type: T.Integer },
      { number: 3, name: "dot1dBasePortCircuit", type: T.OID },
      { number: 4, name: "dot1dBasePortDelayExceededDiscards", type: T.Counter },
      { number: 5, name: "dot1dBasePortMtuExceededDiscards", type: T.Counter },
    ],
    index: [{ columnName: "dot1dBasePort" }],
  },
  {
    name: "dot1dTpFdbTable",
    oid: "1.3.6.1.2.1.17.4.3.1",
    columns: [
      { number: 1, name: "dot1dTpFdbAddress", type: T.OctetString },
      { number: 2, name: "dot1dTpFdbPort", type: T.Integer },
      { number: 3, name: "dot1dTpFdbStatus", type: T.Integer },
    ],
    index: [{ columnName: "dot1dTpFdbAddress", length: 6 }],
  },
];

const SCALARS: [string, string, number][] = [
  ["sysDescr", "1.3.6.1.2.1.1.1", T.OctetString],
  ["sysObjectID", "1.3.6.1.2.1.1.2", T.OID],
  ["sysUpTime", "1.3.6.1.2.1.1.3", T.TimeTicks],
  ["sysContact", "1.3.6.1.2.1.1.4", T.OctetString],
  ["sysName", "1.3.6.1.2.1.1.5", T.OctetString],
  ["sysLocation", "1.3.6.1.2.1.1.6", T.OctetString],
  ["sysServices", "1.3.6.1.2.1.1.7", T.Integer],
  ["hrSystemUptime", "1.3.6.1.2.1.25.1.1", T.TimeTicks],
  ["snmpEngineID", "1.3.6.1.6.3.10.2.1.1", T.OctetString],
  ["snmpEngineBoots", "1.3.6.1.6.3.10.2.1.2", T.Integer],
  ["snmpEngineTime", "1.3.6.1.6.3.10.2.1.3", T.Integer],
  ["dot1dBaseBridgeAddress", "1.3.6.1.2.1.17.1.1", T.OctetString],
  ["dot1dBaseNumPorts", "1.3.6.1.2.1.17.1.2", T.Integer],
  ["dot1dBaseType", "1.3.6.1.2.1.17.1.3", T.Integer],
];

interface Row {
  /** Index values as net-snmp's row-index arrays take them. */
  index: unknown[];
  /** Values for the columns, in the table's column order (index columns included). */
  cells: unknown[];
}

export class SnmpAgent {
  private readonly current = new Map<string, Map<string, Row>>();

  private constructor(
    private readonly model: GatewayModel,
    private readonly agent: Agent,
    readonly port: number,
    readonly engineId: string,
  ) {}

  static async start(model: GatewayModel, options: SnmpAgentOptions): Promise<SnmpAgent> {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new RangeError(`SNMP port must be 1-65535 (net-snmp binds 161 for 0), got ${options.port}`);
    }
    const engineId = engineIdFor(model);
    let failure: Error | null = null;
    const agent = snmp.createAgent(
      { port: options.port, address: "127.0.0.1", transport: "udp4", engineID: engineId },
      (error) => {
        // Refused requests (wrong community, unknown user) are reported here too; only socket errors matter.
        if (error && "code" in error) failure ??= error;
      },
    );
    const sockets = Object.values(agent.listener.sockets);
    try {
      await Promise.all(sockets.map((socket) => once(socket, "listening")));
    } catch (error) {
      agent.close();
      throw new Error(
        `SNMP agent for ${model.gatewayId} cannot listen on 127.0.0.1:${options.port}: ${(error as Error).message}`,
      );
    }
    if (failure) throw failure;
    agent.getAuthorizer().addCommunity(options.community ?? "public");
    if (options.user) {
      agent.getAuthorizer().addUser({
        name: options.user.name,
        level: snmp.SecurityLevel.authPriv,
        authProtocol: snmp.AuthProtocols.sha,
        authKey: options.user.authKey,
        privProtocol: snmp.PrivProtocols.aes,
        privKey: options.user.privKey,
      });
    }
    const instance = new SnmpAgent(model, agent, options.port, engineId);
    instance.register();
    instance.update();
    return instance;
  }

  private register(): void {
    const mib = this.agent.getMib();
    for (const [name, oid, type] of SCALARS) {
      mib.registerProvider({
        name,
        type: snmp.MibProviderType.Scalar,
        oid,
        scalarType: type,
        maxAccess: READ_ONLY,
      });
    }
    for (const table of TABLES) {
      mib.registerProvider({
        name: table.name,
        type: snmp.MibProviderType.Table,
        oid: table.oid,
        maxAccess: HIDDEN,
        tableColumns: table.columns.map((c) => ({
          number: c.number,
          name: c.name,
          type: c.type,
          maxAccess: c.hidden ? HIDDEN : READ_ONLY,
        })),
        ...(table.index ? { tableIndex: table.index } : {}),
        ...(table.augments ? { tableAugments: table.augments } : {}),
      });
      this.current.set(table.name, new Map());
    }
    const m = this.model;
    const br = m.iface("br-lan");
    // Net-SNMP's default sysDescr is `uname -s -n -r -v -m`.
    mib.setScalarValue(
      "sysDescr",
      `Linux ${m.hostname} ${m.firmware.kernel} ${unameVersion(m.hardware, m.firmware)} ${m.hardware.machine}`,
    );
    mib.setScalarValue("sysObjectID", "1.3.6.1.4.1.8072.3.2.10");
    mib.setScalarValue("sysContact", "noc@isp.example");
    mib.setScalarValue("sysName", m.gatewayId);
    mib.setScalarValue("sysLocation", "home gateway");
    mib.setScalarValue("sysServices", 72);
    mib.setScalarValue("snmpEngineID", Buffer.from(this.engineId, "hex"));
    mib.setScalarValue("dot1dBaseBridgeAddress", macBuffer(br?.mac ?? "00:00:00:00:00:00"));
    mib.setScalarValue("dot1dBaseNumPorts", m.interfaces.filter((i) => i.bridgePort !== null).length);
    mib.setScalarValue("dot1dBaseType", 2);
  }

  /** Refreshes every value from the model. */
  update(): void {
    const m = this.model;
    const mib = this.agent.getMib();
    const uptimeMs = m.uptimeMs();
    const ticks = (ms: number) => Math.floor(Math.max(0, ms) / 10) % TWO_32;
    mib.setScalarValue("sysUpTime", ticks(uptimeMs - SNMPD_START_DELAY_MS));
    mib.setScalarValue("hrSystemUptime", ticks(uptimeMs));
    mib.setScalarValue("snmpEngineBoots", m.bootCount);
    mib.setScalarValue("snmpEngineTime", Math.floor(Math.max(0, uptimeMs - SNMPD_START_DELAY_MS) / 1000));
    // The USM header carries the engine's boots too; keep it equal to the scalar after a reboot.
    this.agent.engine.engineBoots = m.bootCount;

    this.sync(
      "ifTable",
      m.interfaces.map((i) => ifRow(m, i)),
    );
    this.sync(
      "ifXTable",
      m.interfaces.map((i) => ifXRow(m, i)),
    );
    this.sync(
      "ipNetToPhysicalTable",
      neighborEntries(m).map((n) => neighborRow(m, n)),
    );
    const ports = m.interfaces.filter((i) => i.bridgePort !== null);
    this.sync(
      "dot1dBasePortTable",
      ports.map((i) => ({ index: [i.bridgePort], cells: [i.bridgePort, i.ifindex, "0.0", 0, 0] })),
    );
    const portOf = new Map(ports.map((i) => [i.name, i.bridgePort as number]));
    const fdb = new Map<string, Row>();
    for (const e of fdbEntries(m)) {
      const port = portOf.get(e.ifname);
      // The bridge's table only: `self` rows are the port drivers' own, and a MAC is listed once.
      if (e.master === null || port === undefined || fdb.has(e.mac)) continue;
      const status = e.state === "permanent" ? 4 : 3;
      fdb.set(e.mac, { index: [macBuffer(e.mac)], cells: [macBuffer(e.mac), port, status] });
    }
    this.sync("dot1dTpFdbTable", [...fdb.values()]);
  }

  /** Makes a table hold exactly `rows`: new rows added, gone rows deleted, changed cells set. */
  private sync(table: string, rows: Row[]): void {
    const mib = this.agent.getMib();
    const spec = TABLES.find((t) => t.name === table) as TableSpec;
    const current = this.current.get(table) as Map<string, Row>;
    const next = new Map<string, Row>();
    for (const row of rows) next.set(key(row.index), row);
    for (const [k, row] of current) {
      if (!next.has(k)) mib.deleteTableRow(table, row.index);
    }
    for (const [k, row] of next) {
      const old = current.get(k);
      if (!old) {
        mib.addTableRow(table, spec.augments ? [...row.index, ...row.cells] : row.cells);
        continue;
      }
      row.cells.forEach((value, i) => {
        const column = spec.columns[i] as Column;
        if (column.hidden || same(value, old.cells[i])) return;
        mib.setTableSingleCell(table, column.number, row.index, value);
      });
    }
    this.current.set(table, next);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.agent.close(() => resolve()));
  }
}

function ifRow(m: GatewayModel, i: SimInterface): Row {
  const s = kernelStats(m, i);
  const c32 = (x: number) => x % TWO_32;
  const speedBps = i.kind === "loopback" ? 10_000_000 : i.speedMbps * 1_000_000;
  return {
    index: [i.ifindex],
    cells: [
      i.ifindex,
      i.name,
      IF_TYPES[i.kind],
      i.mtu,
      Math.min(speedBps, TWO_32 - 1),
      i.kind === "loopback" ? Buffer.alloc(0) : macBuffer(i.mac),
      1,
      1,
      0,
      c32(s.rx_bytes),
      c32(Math.max(0, s.rx_packets - s.multicast)),
      c32(s.rx_dropped + s.rx_missed_errors),
      c32(s.rx_errors),
      c32(s.tx_bytes),
      c32(s.tx_packets),
      c32(s.tx_dropped),
      c32(s.tx_errors),
    ],
  };
}

function ifXRow(m: GatewayModel, i: SimInterface): Row {
  const s = kernelStats(m, i);
  const c32 = (x: number) => x % TWO_32;
  const inUcast = Math.max(0, s.rx_packets - s.multicast);
  return {
    index: [i.ifindex],
    cells: [
      i.name,
      c32(s.multicast),
      0,
      0,
      0,
      counter64(s.rx_bytes),
      counter64(inUcast),
      counter64(s.multicast),
      counter64(0),
      counter64(s.tx_bytes),
      counter64(s.tx_packets),
      counter64(0),
      counter64(0),
      i.kind === "loopback" ? 10 : i.speedMbps,
      "",
    ],
  };
}

function neighborRow(m: GatewayModel, n: NeighborEntry): Row {
  const ifindex = m.iface(n.interface)?.ifindex ?? 0;
  const addrType = isIP(n.ip) === 4 ? 1 : 2;
  const address = Buffer.from(ipBytes(n.ip));
  // Net-SNMP on Linux reports failed entries as type invalid(2) with state invalid(5).
  const failed = n.state === "failed";
  const state = n.state === "reachable" ? 1 : n.state === "stale" ? 2 : 5;
  return {
    index: [ifindex, addrType, address],
    cells: [
      ifindex,
      addrType,
      address,
      n.mac ? macBuffer(n.mac) : Buffer.alloc(0),
      0,
      failed ? 2 : 3,
      state,
      1,
    ],
  };
}

/** RFC 3411 engine id: 0x80 + Net-SNMP's enterprise number (8072) + format 0x80 + 12 bytes, stable per gateway. */
function engineIdFor(m: GatewayModel): string {
  const words = [1, 2, 3].map((i) =>
    mix32(m.seed ^ hashString(m.gatewayId), i)
      .toString(16)
      .padStart(8, "0"),
  );
  return `80001f8880${words.join("")}`;
}

function counter64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(value));
  return b;
}

function macBuffer(mac: string): Buffer {
  return Buffer.from(mac.replaceAll(":", ""), "hex");
}

function ipBytes(ip: string): number[] {
  if (isIP(ip) === 4) return ip.split(".").map(Number);
  const [head = "", tail] = ip.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

function key(index: unknown[]): string {
  return index.map((v) => (Buffer.isBuffer(v) ? v.toString("hex") : String(v))).join("/");
}

function same(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}
