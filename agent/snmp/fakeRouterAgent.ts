/**
 * A real SNMP agent (net-snmp's createAgent) serving a router's system group, IF-MIB
 * ifTable/ifXTable, IP-MIB ipNetToPhysicalTable and BRIDGE-MIB/Q-BRIDGE FDB from plain data, on
 * loopback, for tests and the simulator. It answers v2c (one community) and v3 (one user).
 *
 * Traps handled here: net-snmp's agent only accepts 8-byte Buffers for Counter64; `port: 0`
 * is taken as "unset" and binds 161, so a free port is found first (freeUdpPort); its own
 * SNMPv3 engine boots/time are fixed, so snmpEngineBoots is served as a plain scalar the
 * caller changes to simulate a restart; a MAC index is a fixed-length OCTET STRING
 * (`length: 6`, no length prefix) while an InetAddress index is length-prefixed.
 */
import { createSocket } from "node:dgram";
import { isIP } from "node:net";
import { type NetSnmpAgent, type NetSnmpMib, type NetSnmpUser, netSnmp } from "./netSnmp.js";

export interface FakeInterface {
  ifIndex: number;
  ifDescr: string;
  /** Omit to leave the row out of ifXTable. */
  ifName?: string;
  inOctets: bigint;
  outOctets: bigint;
  inUcastPkts: bigint;
  outUcastPkts: bigint;
  inErrors?: number;
  outErrors?: number;
  inDiscards?: number;
  outDiscards?: number;
}

export interface FakeNeighbor {
  ifIndex: number;
  ip: string;
  /** Lower-case colon form; null for an unresolved entry (empty PhysAddress). */
  mac: string | null;
  /** ipNetToPhysicalType: 3 dynamic, 4 static, ... */
  type: number;
  /** ipNetToPhysicalState: 1 reachable, 2 stale, ..., 7 incomplete. */
  state: number;
}

export interface FakeFdbEntry {
  mac: string;
  basePort: number;
  /** 3 learned, 4 self, 5 mgmt. */
  status: number;
  /** Present: a Q-BRIDGE dot1qTpFdbTable row in this FDB; absent: a dot1dTpFdbTable row. */
  fdbId?: number;
}

export interface FakeRouterData {
  system: {
    sysDescr: string;
    sysObjectId: string;
    sysName: string;
    sysLocation: string;
    sysContact: string;
    sysUpTime: number;
    /** Omit for an agent without HOST-RESOURCES-MIB. */
    hrSystemUptime?: number;
    engineBoots: number;
  };
  interfaces: FakeInterface[];
  neighbors: FakeNeighbor[];
  bridgePorts: { basePort: number; ifIndex: number }[];
  fdb: FakeFdbEntry[];
}

export interface FakeRouterOptions {
  port: number;
  community: string;
  /** A v3 user with SHA authentication and AES privacy (authPriv). */
  v3?: { user: string; authKey: string; privKey: string };
  /** snmpEngineID as hex (10 to 64 digits). */
  engineId: string;
}

export interface FakeRouter {
  port: number;
  mib: NetSnmpMib;
  /** Sets sysUpTime, hrSystemUptime or snmpEngineBoots (TimeTicks/INTEGER). */
  setScalar(name: "sysUpTime" | "hrSystemUptime" | "snmpEngineBoots", value: number): void;
  close(): Promise<void>;
}

/** A UDP port free on 127.0.0.1 right now (bound to port 0, read, released). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

export function counter64(value: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(value);
  return buffer;
}

export function ipToBytes(ip: string): number[] {
  if (isIP(ip) === 4) return ip.split(".").map(Number);
  if (isIP(ip) !== 6) throw new Error(`not an IP address: ${ip}`);
  const [head = "", tail] = ip.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

const macBytes = (mac: string) => Buffer.from(mac.replaceAll(":", ""), "hex");

export async function startFakeRouterAgent(
  data: FakeRouterData,
  options: FakeRouterOptions,
): Promise<FakeRouter> {
  const { ObjectType: T, MibProviderType: P, MaxAccess } = netSnmp;
  const readOnly = MaxAccess["read-only"];
  const hidden = MaxAccess["not-accessible"];
  let bindError: Error | null = null;
  const agent: NetSnmpAgent = netSnmp.createAgent(
    { port: options.port, address: "127.0.0.1", transport: "udp4", engineID: options.engineId },
    (error) => {
      // Refused requests (a wrong community) are reported here too and are expected; only a
      // socket error before the agent answered matters.
      if (error && "code" in error) bindError ??= error;
    },
  );
  agent.getAuthorizer().addCommunity(options.community);
  if (options.v3) {
    const user: NetSnmpUser = {
      name: options.v3.user,
      level: netSnmp.SecurityLevel.authPriv,
      authProtocol: netSnmp.AuthProtocols.sha,
      authKey: options.v3.authKey,
      privProtocol: netSnmp.PrivProtocols.aes,
      privKey: options.v3.privKey,
    };
    agent.getAuthorizer().addUser(user);
  }
  const mib = agent.getMib();

  const scalar = (name: string, oid: string, type: number, value: unknown) => {
    mib.registerProvider({ name, type: P.Scalar, oid, scalarType: type, maxAccess: readOnly });
    mib.setScalarValue(name, value);
  };
  const s = data.system;
  scalar("sysDescr", "1.3.6.1.2.1.1.1", T.OctetString, s.sysDescr);
  scalar("sysObjectID", "1.3.6.1.2.1.1.2", T.OID, s.sysObjectId);
  scalar("sysUpTime", "1.3.6.1.2.1.1.3", T.TimeTicks, s.sysUpTime);
  scalar("sysContact", "1.3.6.1.2.1.1.4", T.OctetString, s.sysContact);
  scalar("sysName", "1.3.6.1.2.1.1.5", T.OctetString, s.sysName);
  scalar("sysLocation", "1.3.6.1.2.1.1.6", T.OctetString, s.sysLocation);
  if (s.hrSystemUptime !== undefined)
    scalar("hrSystemUptime", "1.3.6.1.2.1.25.1.1", T.TimeTicks, s.hrSystemUptime);
  scalar("snmpEngineID", "1.3.6.1.6.3.10.2.1.1", T.OctetString, Buffer.from(options.engineId, "hex"));
  scalar("snmpEngineBoots", "1.3.6.1.6.3.10.2.1.2", T.Integer, s.engineBoots);

  const column = (number: number, name: string, type: number, access = readOnly) => ({
    number,
    name,
    type,
    maxAccess: access,
  });

  mib.registerProvider({
    name: "ifTable",
    type: P.Table,
    oid: "1.3.6.1.2.1.2.2.1",
    maxAccess: hidden,
    tableColumns: [
      column(1, "ifIndex", T.Integer),
      column(2, "ifDescr", T.OctetString),
      column(10, "ifInOctets", T.Counter),
      column(11, "ifInUcastPkts", T.Counter),
      column(13, "ifInDiscards", T.Counter),
      column(14, "ifInErrors", T.Counter),
      column(16, "ifOutOctets", T.Counter),
      column(17, "ifOutUcastPkts", T.Counter),
      column(19, "ifOutDiscards", T.Counter),
      column(20, "ifOutErrors", T.Counter),
    ],
    tableIndex: [{ columnName: "ifIndex" }],
  });
  mib.registerProvider({
    name: "ifXTable",
    type: P.Table,
    oid: "1.3.6.1.2.1.31.1.1.1",
    maxAccess: hidden,
    tableColumns: [
      column(1, "ifName", T.OctetString),
      column(6, "ifHCInOctets", T.Counter64),
      column(7, "ifHCInUcastPkts", T.Counter64),
      column(10, "ifHCOutOctets", T.Counter64),
      column(11, "ifHCOutUcastPkts", T.Counter64),
    ],
    tableAugments: "ifTable",
  });
  const wrap32 = (v: bigint) => Number(v % 0x1_0000_0000n);
  for (const i of data.interfaces) {
    mib.addTableRow("ifTable", [
      i.ifIndex,
      i.ifDescr,
      wrap32(i.inOctets),
      wrap32(i.inUcastPkts),
      i.inDiscards ?? 0,
      i.inErrors ?? 0,
      wrap32(i.outOctets),
      wrap32(i.outUcastPkts),
      i.outDiscards ?? 0,
      i.outErrors ?? 0,
    ]);
    if (i.ifName !== undefined) {
      mib.addTableRow("ifXTable", [
        i.ifIndex,
        i.ifName,
        counter64(i.inOctets),
        counter64(i.inUcastPkts),
        counter64(i.outOctets),
        counter64(i.outUcastPkts),
      ]);
    }
  }

  mib.registerProvider({
    name: "ipNetToPhysicalTable",
    type: P.Table,
    oid: "1.3.6.1.2.1.4.35.1",
    maxAccess: hidden,
    tableColumns: [
      column(1, "ipNetToPhysicalIfIndex", T.Integer, hidden),
      column(2, "ipNetToPhysicalNetAddressType", T.Integer, hidden),
      column(3, "ipNetToPhysicalNetAddress", T.OctetString, hidden),
      column(4, "ipNetToPhysicalPhysAddress", T.OctetString),
      column(6, "ipNetToPhysicalType", T.Integer),
      column(7, "ipNetToPhysicalState", T.Integer),
    ],
    tableIndex: [
      { columnName: "ipNetToPhysicalIfIndex" },
      { columnName: "ipNetToPhysicalNetAddressType" },
      { columnName: "ipNetToPhysicalNetAddress" },
    ],
  });
  for (const n of data.neighbors) {
    mib.addTableRow("ipNetToPhysicalTable", [
      n.ifIndex,
      isIP(n.ip) === 4 ? 1 : 2,
      Buffer.from(ipToBytes(n.ip)),
      n.mac === null ? Buffer.alloc(0) : macBytes(n.mac),
      n.type,
      n.state,
    ]);
  }

  if (data.bridgePorts.length > 0) {
    mib.registerProvider({
      name: "dot1dBasePortTable",
      type: P.Table,
      oid: "1.3.6.1.2.1.17.1.4.1",
      maxAccess: hidden,
      tableColumns: [column(1, "dot1dBasePort", T.Integer), column(2, "dot1dBasePortIfIndex", T.Integer)],
      tableIndex: [{ columnName: "dot1dBasePort" }],
    });
    for (const p of data.bridgePorts) mib.addTableRow("dot1dBasePortTable", [p.basePort, p.ifIndex]);
  }
  const dot1d = data.fdb.filter((e) => e.fdbId === undefined);
  if (dot1d.length > 0) {
    mib.registerProvider({
      name: "dot1dTpFdbTable",
      type: P.Table,
      oid: "1.3.6.1.2.1.17.4.3.1",
      maxAccess: hidden,
      tableColumns: [
        column(1, "dot1dTpFdbAddress", T.OctetString),
        column(2, "dot1dTpFdbPort", T.Integer),
        column(3, "dot1dTpFdbStatus", T.Integer),
      ],
      tableIndex: [{ columnName: "dot1dTpFdbAddress", length: 6 }],
    });
    for (const e of dot1d) mib.addTableRow("dot1dTpFdbTable", [macBytes(e.mac), e.basePort, e.status]);
  }
  const dot1q = data.fdb.filter((e) => e.fdbId !== undefined);
  if (dot1q.length > 0) {
    mib.registerProvider({
      name: "dot1qFdbTable",
      type: P.Table,
      oid: "1.3.6.1.2.1.17.7.1.2.1.1",
      maxAccess: hidden,
      tableColumns: [column(1, "dot1qFdbId", T.Gauge, hidden), column(2, "dot1qFdbDynamicCount", T.Counter)],
      tableIndex: [{ columnName: "dot1qFdbId" }],
    });
    mib.registerProvider({
      name: "dot1qTpFdbTable",
      type: P.Table,
      oid: "1.3.6.1.2.1.17.7.1.2.2.1",
      maxAccess: hidden,
      tableColumns: [
        column(1, "dot1qTpFdbAddress", T.OctetString, hidden),
        column(2, "dot1qTpFdbPort", T.Integer),
        column(3, "dot1qTpFdbStatus", T.Integer),
      ],
      tableIndex: [
        { columnName: "dot1qFdbId", foreign: "dot1qFdbTable" },
        { columnName: "dot1qTpFdbAddress", length: 6 },
      ],
    });
    const ids = [...new Set(dot1q.map((e) => e.fdbId as number))];
    for (const id of ids) mib.addTableRow("dot1qFdbTable", [id, dot1q.filter((e) => e.fdbId === id).length]);
    for (const e of dot1q)
      mib.addTableRow("dot1qTpFdbTable", [e.fdbId, macBytes(e.mac), e.basePort, e.status]);
  }

  await waitUntilAnswering(options.port, options.community, () => bindError);

  return {
    port: options.port,
    mib,
    setScalar(name, value) {
      mib.setScalarValue(name, value);
    },
    close() {
      return new Promise((resolve) => agent.close(() => resolve()));
    },
  };
}

/** The agent binds asynchronously: a request sent before that would only time out. */
async function waitUntilAnswering(
  port: number,
  community: string,
  failure: () => Error | null,
): Promise<void> {
  const session = netSnmp.createSession("127.0.0.1", community, {
    port,
    retries: 0,
    timeout: 100,
    transport: "udp4",
    version: netSnmp.Version2c,
    backwardsGetNexts: false,
  });
  try {
    for (let attempt = 0; attempt < 30; attempt++) {
      const error = failure();
      if (error) throw error;
      const answered = await new Promise<boolean>((resolve) =>
        session.get(["1.3.6.1.2.1.1.3.0"], (err) => resolve(err === null)),
      );
      if (answered) return;
    }
    throw new Error(`fake router agent on 127.0.0.1:${port} did not answer`);
  } finally {
    session.close();
  }
}
