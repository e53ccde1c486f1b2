import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeRouter,
  type FakeRouterData,
  freeUdpPort,
  startFakeRouterAgent,
} from "./fakeRouterAgent.js";
import type { SnmpClientOptions } from "./snmpClient.js";
import { advanceBoot, createSnmpCollector, createSnmpSource } from "./snmpSource.js";
import type { RouterIdentity } from "./systemGroup.js";

const ENGINE_ID = "8000b98380a1b2c3d4e5f60718293a4b";
const COMMUNITY = "leaseline-test";
const V3 = { user: "leaseline", authKey: "auth-pass-123", privKey: "priv-pass-456" };

const data: FakeRouterData = {
  system: {
    sysDescr: "Linux OpenWrt 5.15.137 #0 SMP mips",
    sysObjectId: "1.3.6.1.4.1.8072.3.2.10",
    sysName: "gw-4711",
    sysLocation: "Flat 3, Rue des Écoles",
    sysContact: "noc@isp.example",
    sysUpTime: 500_000,
    hrSystemUptime: 8_640_000,
    engineBoots: 3,
  },
  interfaces: [
    {
      ifIndex: 1,
      ifDescr: "lo",
      ifName: "lo",
      inOctets: 1234n,
      outOctets: 1234n,
      inUcastPkts: 10n,
      outUcastPkts: 10n,
    },
    {
      ifIndex: 2,
      ifDescr: "Realtek RTL8111 Gigabit Ethernet",
      ifName: "eth0",
      // Past 2^32: only the Counter64 column can carry it.
      inOctets: 5_000_000_000n,
      outOctets: 123_456_789_012n,
      inUcastPkts: 4_300_000_000n,
      outUcastPkts: 99n,
      inErrors: 3,
      outErrors: 1,
      inDiscards: 7,
      outDiscards: 2,
    },
    {
      ifIndex: 3,
      ifDescr: "br-lan",
      ifName: "br-lan",
      inOctets: 100n,
      outOctets: 200n,
      inUcastPkts: 1n,
      outUcastPkts: 2n,
    },
    {
      ifIndex: 4,
      ifDescr: "lan1",
      ifName: "lan1",
      inOctets: 10n,
      outOctets: 20n,
      inUcastPkts: 1n,
      outUcastPkts: 1n,
    },
    {
      ifIndex: 5,
      ifDescr: "lan2",
      ifName: "lan2",
      inOctets: 30n,
      outOctets: 40n,
      inUcastPkts: 1n,
      outUcastPkts: 1n,
    },
    // No ifXTable row: 32-bit counters and ifDescr.
    { ifIndex: 6, ifDescr: "wl0", inOctets: 777n, outOctets: 888n, inUcastPkts: 5n, outUcastPkts: 6n },
  ],
  neighbors: [
    { ifIndex: 2, ip: "203.0.113.1", mac: "00:00:5e:00:01:01", type: 3, state: 1 },
    { ifIndex: 3, ip: "192.168.1.20", mac: "00:1b:11:20:dc:2c", type: 3, state: 1 },
    { ifIndex: 3, ip: "192.168.1.21", mac: "3a:7f:02:11:aa:05", type: 3, state: 2 },
    { ifIndex: 3, ip: "192.168.1.22", mac: null, type: 2, state: 7 },
    { ifIndex: 3, ip: "2001:db8:1::20", mac: "00:1b:11:20:dc:2c", type: 3, state: 3 },
    { ifIndex: 3, ip: "fe80::21b:11ff:fe20:dc2c", mac: "00:1b:11:20:dc:2c", type: 3, state: 4 },
  ],
  bridgePorts: [
    { basePort: 1, ifIndex: 4 },
    { basePort: 2, ifIndex: 5 },
  ],
  fdb: [
    { mac: "00:1b:11:20:dc:2c", basePort: 1, status: 3 },
    { mac: "02:00:00:00:00:01", basePort: 1, status: 4 },
    { fdbId: 1, mac: "00:1b:11:20:dc:2c", basePort: 1, status: 3 },
    { fdbId: 1, mac: "3a:7f:02:11:aa:05", basePort: 2, status: 3 },
  ],
};

const expectedInterfaces = [
  {
    name: "lo",
    rxBytes: 1234,
    txBytes: 1234,
    rxPackets: 10,
    txPackets: 10,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
  },
  {
    name: "eth0",
    rxBytes: 5_000_000_000,
    txBytes: 123_456_789_012,
    rxPackets: 4_300_000_000,
    txPackets: 99,
    rxErrors: 3,
    txErrors: 1,
    rxDropped: 7,
    txDropped: 2,
  },
  {
    name: "br-lan",
    rxBytes: 100,
    txBytes: 200,
    rxPackets: 1,
    txPackets: 2,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
  },
  {
    name: "lan1",
    rxBytes: 10,
    txBytes: 20,
    rxPackets: 1,
    txPackets: 1,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
  },
  {
    name: "lan2",
    rxBytes: 30,
    txBytes: 40,
    rxPackets: 1,
    txPackets: 1,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
  },
  {
    name: "wl0",
    rxBytes: 777,
    txBytes: 888,
    rxPackets: 5,
    txPackets: 6,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
  },
];

const expectedNeighbors = [
  { ip: "203.0.113.1", mac: "00:00:5e:00:01:01", interface: "eth0", state: "reachable", bridgePort: null },
  {
    ip: "192.168.1.20",
    mac: "00:1b:11:20:dc:2c",
    interface: "br-lan",
    state: "reachable",
    bridgePort: "lan1",
  },
  { ip: "192.168.1.21", mac: "3a:7f:02:11:aa:05", interface: "br-lan", state: "stale", bridgePort: "lan2" },
  { ip: "192.168.1.22", mac: null, interface: "br-lan", state: "incomplete", bridgePort: null },
  { ip: "2001:db8:1::20", mac: "00:1b:11:20:dc:2c", interface: "br-lan", state: "delay", bridgePort: "lan1" },
  {
    ip: "fe80::21b:11ff:fe20:dc2c",
    mac: "00:1b:11:20:dc:2c",
    interface: "br-lan",
    state: "probe",
    bridgePort: "lan1",
  },
];

let router: FakeRouter;
let v2c: SnmpClientOptions;
let v3: SnmpClientOptions;

beforeAll(async () => {
  const port = await freeUdpPort();
  router = await startFakeRouterAgent(data, { port, community: COMMUNITY, v3: V3, engineId: ENGINE_ID });
  const target = `udp://127.0.0.1:${port}`;
  v2c = { target, version: "2c", community: COMMUNITY, timeoutMs: 1000, retries: 1 };
  v3 = {
    target,
    version: "3",
    v3: {
      user: V3.user,
      level: "authPriv",
      authProtocol: "sha",
      authKey: V3.authKey,
      privProtocol: "aes",
      privKey: V3.privKey,
    },
    timeoutMs: 1000,
    retries: 1,
  };
});

afterAll(async () => {
  await router?.close();
});

describe("SNMP source against a net-snmp agent on 127.0.0.1", () => {
  it("collects every table over v2c", async () => {
    const result = await createSnmpCollector(v2c, () => 0).collect();
    expect(result.interfaces).toEqual(expectedInterfaces);
    expect(result.neighbors).toEqual(expectedNeighbors);
    expect(result.identity).toEqual({
      sysDescr: "Linux OpenWrt 5.15.137 #0 SMP mips",
      sysObjectId: "1.3.6.1.4.1.8072.3.2.10",
      sysName: "gw-4711",
      sysLocation: "Flat 3, Rue des Écoles",
      sysContact: "noc@isp.example",
      sysUpTime: 500_000,
      hrSystemUptime: 8_640_000,
      engineId: ENGINE_ID,
      engineBoots: 3,
    });
    expect(result.bootId).toMatch(/^snmp:[0-9a-f]{16}:3:0$/);
    expect(result.reset).toBeNull();
    expect(result.skipped).toEqual([]);
    expect(result.tables).toEqual({
      system: { status: "ok", rows: 9, skipped: 0 },
      ifTable: { status: "ok", rows: 6, skipped: 0 },
      ifXTable: { status: "ok", rows: 5, skipped: 0 },
      ipNetToPhysicalTable: { status: "ok", rows: 6, skipped: 0 },
      dot1dBasePortTable: { status: "ok", rows: 2, skipped: 0 },
      dot1dTpFdbTable: { status: "ok", rows: 2, skipped: 0 },
      dot1qTpFdbTable: { status: "ok", rows: 2, skipped: 0 },
    });
  });

  it("collects the same over v3 authPriv (SHA/AES)", async () => {
    const result = await createSnmpCollector(v3, () => 0).collect();
    expect(result.interfaces).toEqual(expectedInterfaces);
    expect(result.neighbors).toEqual(expectedNeighbors);
    expect(result.identity?.engineId).toBe(ENGINE_ID);
    expect(Object.values(result.tables).every((t) => t.status === "ok")).toBe(true);
  });

  it("keeps the bootId across an agent reload and changes it on a host reboot", async () => {
    let now = 0;
    const collector = createSnmpCollector(v2c, () => now);
    try {
      const first = await collector.collect();

      now = 60_000;
      router.setScalar("sysUpTime", 506_000);
      router.setScalar("hrSystemUptime", 8_646_000);
      const steady = await collector.collect();
      expect(steady.reset?.verdict).toBe("none");
      expect(steady.bootId).toBe(first.bootId);

      now = 120_000;
      router.setScalar("sysUpTime", 300);
      router.setScalar("snmpEngineBoots", 4);
      router.setScalar("hrSystemUptime", 8_652_000);
      const reload = await collector.collect();
      expect(reload.reset?.verdict).toBe("reload");
      expect(reload.bootId).toBe(first.bootId);

      now = 180_000;
      router.setScalar("sysUpTime", 1_500);
      router.setScalar("snmpEngineBoots", 5);
      router.setScalar("hrSystemUptime", 2_000);
      const reboot = await collector.collect();
      expect(reboot.reset?.verdict).toBe("reset");
      expect(reboot.bootId).not.toBe(first.bootId);
      expect(reboot.bootId).toMatch(/^snmp:[0-9a-f]{16}:5:1$/);
    } finally {
      router.setScalar("sysUpTime", data.system.sysUpTime);
      router.setScalar("hrSystemUptime", data.system.hrSystemUptime as number);
      router.setScalar("snmpEngineBoots", data.system.engineBoots);
    }
  });

  it("implements the Source contract", async () => {
    const source = createSnmpSource({ ...v2c, clock: () => 0 });
    expect(source.name).toBe("snmp");
    const outcome = await source.collect({} as never);
    expect(outcome).toEqual({
      status: "ok",
      records: { interfaces: expectedInterfaces, neighbors: expectedNeighbors },
      skipped: [],
    });
    expect(source.last?.identity?.sysName).toBe("gw-4711");
  });

  it("records a per-table timeout quickly, without throwing, for a port nobody answers on", async () => {
    const unused = await freeUdpPort();
    const source = createSnmpSource({
      target: `udp://127.0.0.1:${unused}`,
      version: "2c",
      community: COMMUNITY,
      timeoutMs: 150,
      retries: 0,
    });
    const started = performance.now();
    const outcome = await source.collect({} as never);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(outcome.status).toBe("error");
    const tables = source.last?.tables ?? {};
    expect(Object.keys(tables).sort()).toEqual([
      "dot1dBasePortTable",
      "ifTable",
      "ifXTable",
      "ipNetToMediaTable",
      "ipNetToPhysicalTable",
      "system",
    ]);
    for (const report of Object.values(tables)) expect(report).toMatchObject({ status: "timeout", rows: 0 });
    expect(source.last?.bootId).toBeNull();
    expect(source.last?.interfaces).toEqual([]);
    expect(source.last?.skipped).toEqual([]);
  });

  it("refuses invalid options before opening any socket, naming each option", () => {
    expect(() =>
      createSnmpSource({
        target: "tcp://10.0.0.1",
        version: "2c",
        timeoutMs: 0,
        retries: 1,
      } as SnmpClientOptions),
    ).toThrow(/target: only udp:\/\/ is supported.*timeoutMs.*community: required/);
  });
});

describe("advanceBoot", () => {
  const identity = (over: Partial<RouterIdentity>): RouterIdentity => ({
    sysDescr: null,
    sysObjectId: null,
    sysName: null,
    sysLocation: null,
    sysContact: null,
    sysUpTime: 100_000,
    hrSystemUptime: 900_000,
    engineId: "80001f8880aabbccdd",
    engineBoots: 7,
    ...over,
  });

  it("anchors the first reading and keeps state when the system group is unreadable", () => {
    const first = advanceBoot(null, identity({}), "10.0.0.1:161", 0);
    expect(first.decision).toBeNull();
    expect(first.state?.bootId).toMatch(/^snmp:[0-9a-f]{16}:7:0$/);
    const unreadable = advanceBoot(first.state, null, "10.0.0.1:161", 60_000);
    expect(unreadable).toEqual({ state: first.state, decision: null });
  });

  it("changes the bootId exactly on a detected reset, also when engineBoots does not move", () => {
    const first = advanceBoot(null, identity({ engineBoots: null }), "10.0.0.1:161", 0);
    const same = advanceBoot(
      first.state,
      identity({ engineBoots: null, sysUpTime: 106_000, hrSystemUptime: 906_000 }),
      "x",
      60_000,
    );
    expect(same.state?.bootId).toBe(first.state?.bootId);
    const reset = advanceBoot(
      same.state,
      identity({ engineBoots: null, sysUpTime: 500, hrSystemUptime: 700 }),
      "x",
      120_000,
    );
    expect(reset.decision?.verdict).toBe("reset");
    expect(reset.state?.bootId).not.toBe(first.state?.bootId);
    expect(reset.state?.bootId).toMatch(/:x:1$/);
  });

  it("keys on the target address when the agent hides its engine id", () => {
    const a = advanceBoot(null, identity({ engineId: null }), "10.0.0.1:161", 0);
    const b = advanceBoot(null, identity({ engineId: null }), "10.0.0.2:161", 0);
    expect(a.state?.bootId).not.toBe(b.state?.bootId);
  });
});
