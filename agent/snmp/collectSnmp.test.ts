/**
 * collectSnmp's per-table outcomes and fallbacks, over a stub client that serves the recorded
 * snmpd walk (testdata) and fails chosen tables.
 */
import { describe, expect, it } from "vitest";
import { IF_ENTRY, IFX_ENTRY } from "./ifTable.js";
import { IP_NET_TO_MEDIA_ENTRY, IP_NET_TO_PHYSICAL_ENTRY } from "./ipNetToPhysical.js";
import { type SnmpClient, SnmpRequestError } from "./snmpClient.js";
import { collectSnmp } from "./snmpSource.js";
import { loadCapture, table } from "./testdata/capture.js";
import { isUnderOid, type Varbinds } from "./varbinds.js";

const capture = loadCapture("snmpd-5.9.3-linux.json");
const all = new Map<string, unknown>(Object.values(capture).flatMap((t) => [...t]));

type Override = SnmpRequestError | Varbinds;

function stubClient(overrides: Record<string, Override> = {}): SnmpClient & { walked: string[] } {
  const walked: string[] = [];
  const answer = (key: string, fallback: () => Varbinds): Promise<Varbinds> => {
    const override = overrides[key];
    if (override instanceof SnmpRequestError) return Promise.reject(override);
    return Promise.resolve(override ?? fallback());
  };
  return {
    walked,
    target: { host: "192.0.2.1", port: 161, transport: "udp4" },
    get(oids) {
      return answer("system", () => new Map(oids.filter((o) => all.has(o)).map((o) => [o, all.get(o)])));
    },
    walkColumns(entry, columns) {
      walked.push(entry);
      return answer(entry, () => {
        const prefixes = columns.map((c) => `${entry}.${c}`);
        return new Map([...all].filter(([oid]) => prefixes.some((p) => isUnderOid(oid, p))));
      });
    },
    close() {},
  };
}

const names = (list: { name: string }[]) => list.map((i) => i.name);

describe("collectSnmp", () => {
  it("collects the recorded snmpd walk: no BRIDGE-MIB, so no FDB walk; IPv4 neighbours, so no legacy walk", async () => {
    const client = stubClient();
    const result = await collectSnmp(client, null, 0);
    expect(names(result.interfaces)).toEqual(["lo", "br-lan", "vc1", "vh1"]);
    expect(result.neighbors.map((n) => `${n.ip} ${n.interface} ${n.state}`)).toEqual([
      "10.9.0.2 br-lan permanent",
      "10.9.0.3 br-lan stale",
      "10.9.0.4 br-lan reachable",
      "10.9.0.5 br-lan incomplete",
      "2001:db8:9::2 br-lan stale",
      "fe80::21b:11ff:fe20:dc2c br-lan reachable",
    ]);
    expect(result.tables).toEqual({
      system: { status: "ok", rows: 9, skipped: 0 },
      ifTable: { status: "ok", rows: 4, skipped: 0 },
      ifXTable: { status: "ok", rows: 4, skipped: 0 },
      ipNetToPhysicalTable: { status: "ok", rows: 6, skipped: 0 },
      dot1dBasePortTable: { status: "noSuchObject", rows: 0, skipped: 0 },
    });
    expect(client.walked).not.toContain(IP_NET_TO_MEDIA_ENTRY);
    expect(result.identity?.sysName).toBe("vm");
    expect(result.bootId).toMatch(/^snmp:[0-9a-f]{16}:1:0$/);
  });

  it("reports no counters when ifXTable failed, rather than 32-bit values in place of 64-bit ones", async () => {
    const result = await collectSnmp(
      stubClient({ [IFX_ENTRY]: new SnmpRequestError("timeout", "Request timed out") }),
      null,
      0,
    );
    expect(result.interfaces).toEqual([]);
    expect(result.tables.ifXTable).toEqual({
      status: "timeout",
      error: "Request timed out",
      rows: 0,
      skipped: 0,
    });
    expect(result.tables.ifTable?.status).toBe("ok");
    // ifDescr still names the neighbours' interface.
    expect(result.neighbors[0]?.interface).toBe("br-lan");
  });

  it("uses the 32-bit counters when the agent has no ifXTable at all", async () => {
    const result = await collectSnmp(stubClient({ [IFX_ENTRY]: new Map() }), null, 0);
    expect(result.tables.ifXTable).toEqual({ status: "noSuchObject", rows: 0, skipped: 0 });
    // ifInUcastPkts 0 + ifInNUcastPkts 7 on br-lan.
    expect(result.interfaces[1]).toMatchObject({ name: "br-lan", rxBytes: 488, rxPackets: 7, txPackets: 9 });
  });

  it("falls back to ipNetToMediaTable when ipNetToPhysicalTable fails", async () => {
    const client = stubClient({
      [IP_NET_TO_PHYSICAL_ENTRY]: new SnmpRequestError("malformed", "not increasing"),
    });
    const result = await collectSnmp(client, null, 0);
    expect(result.tables.ipNetToPhysicalTable).toMatchObject({
      status: "malformed",
      error: "not increasing",
    });
    expect(result.tables.ipNetToMediaTable).toEqual({ status: "ok", rows: 3, skipped: 0 });
    expect(result.neighbors.map((n) => n.ip)).toEqual(["10.9.0.2", "10.9.0.3", "10.9.0.4"]);
  });

  it("adds legacy IPv4 entries when ipNetToPhysicalTable lists only IPv6", async () => {
    const v6only = new Map(
      [...table(capture, "ipNetToPhysicalTable")].filter(([oid]) => /\.2\.2\.16\./.test(oid)),
    );
    const result = await collectSnmp(stubClient({ [IP_NET_TO_PHYSICAL_ENTRY]: v6only }), null, 0);
    expect(result.neighbors.map((n) => n.ip)).toEqual([
      "2001:db8:9::2",
      "fe80::21b:11ff:fe20:dc2c",
      "10.9.0.2",
      "10.9.0.3",
      "10.9.0.4",
    ]);
  });

  it("marks a table whose every row is malformed, and an unreadable system group, without stopping", async () => {
    const garbage = new Map<string, unknown>([
      [`${IF_ENTRY}.10.1`, "x"],
      [`${IF_ENTRY}.10.2`, "y"],
    ]);
    const result = await collectSnmp(
      stubClient({
        [IF_ENTRY]: garbage,
        [IFX_ENTRY]: new Map(),
        system: new SnmpRequestError("error", "Authentication failure"),
      }),
      null,
      0,
    );
    expect(result.tables.ifTable).toEqual({
      status: "malformed",
      error: "every row was malformed",
      rows: 2,
      skipped: 2,
    });
    expect(result.tables.system).toEqual({
      status: "error",
      error: "Authentication failure",
      rows: 0,
      skipped: 0,
    });
    expect(result.identity).toBeNull();
    expect(result.bootId).toBeNull();
    expect(result.interfaces).toEqual([]);
    expect(result.neighbors).toHaveLength(6);
  });
});
