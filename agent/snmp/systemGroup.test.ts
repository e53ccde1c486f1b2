import { describe, expect, it } from "vitest";
import { parseSystemGroup, SYSTEM_OIDS } from "./systemGroup.js";
import { loadCapture, table } from "./testdata/capture.js";

const capture = loadCapture("snmpd-5.9.3-linux.json");

describe("parseSystemGroup", () => {
  it("reads snmpd's system group, hrSystemUptime and engine id/boots", () => {
    expect(parseSystemGroup(table(capture, "system"))).toEqual({
      records: [
        {
          sysDescr: "Linux vm 6.18.44-fc-v509 #1 SMP PREEMPT_DYNAMIC @0 x86_64",
          sysObjectId: "1.3.6.1.4.1.8072.3.2.10",
          sysName: "vm",
          sysLocation: "Unknown",
          sysContact: "root",
          sysUpTime: 205,
          hrSystemUptime: 135957,
          engineId: "80001f88808d455d1d7726046b00000000",
          engineBoots: 1,
        },
      ],
      skipped: [],
    });
  });

  it("gives null for objects the agent lacks and still needs sysUpTime", () => {
    const only = new Map<string, unknown>([[SYSTEM_OIDS.sysUpTime, 4_294_967_295]]);
    expect(parseSystemGroup(only).records).toEqual([
      {
        sysDescr: null,
        sysObjectId: null,
        sysName: null,
        sysLocation: null,
        sysContact: null,
        sysUpTime: 4_294_967_295,
        hrSystemUptime: null,
        engineId: null,
        engineBoots: null,
      },
    ]);
    const withoutUptime = new Map<string, unknown>([[SYSTEM_OIDS.sysName, Buffer.from("gw")]]);
    expect(parseSystemGroup(withoutUptime)).toEqual({
      records: [],
      skipped: [{ line: 0, reason: "sysUpTime missing: no identity", text: SYSTEM_OIDS.sysUpTime }],
    });
  });

  it("reports values of the wrong type and keeps the rest", () => {
    const varbinds = new Map<string, unknown>([
      [SYSTEM_OIDS.sysDescr, Buffer.from("x".repeat(300))],
      [SYSTEM_OIDS.sysObjectID, Buffer.from("1.3.6")],
      [SYSTEM_OIDS.sysUpTime, 100],
      [SYSTEM_OIDS.sysName, Buffer.from("routeur-séjour")],
      [SYSTEM_OIDS.hrSystemUptime, -1],
      [SYSTEM_OIDS.snmpEngineID, Buffer.from("0102", "hex")],
      [SYSTEM_OIDS.snmpEngineBoots, 0],
    ]);
    const result = parseSystemGroup(varbinds);
    expect(result.records[0]).toMatchObject({
      sysDescr: null,
      sysObjectId: null,
      sysName: "routeur-séjour",
      sysUpTime: 100,
      hrSystemUptime: null,
      engineId: null,
      engineBoots: null,
    });
    expect(result.skipped.map((s) => s.reason)).toEqual([
      "sysObjectID is not an OID",
      "snmpEngineID is not an OCTET STRING of 5 to 32 octets",
      "snmpEngineBoots is not an INTEGER 1..2^31-1",
      "sysDescr is longer than 255 characters",
      "hrSystemUptime is not TimeTicks",
    ]);
  });

  it("has no identity when sysUpTime is not TimeTicks", () => {
    const result = parseSystemGroup(new Map<string, unknown>([[SYSTEM_OIDS.sysUpTime, "100"]]));
    expect(result.records).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual(["sysUpTime is not TimeTicks"]);
  });
});
