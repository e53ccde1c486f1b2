import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { leaseSchema, type ValidationError } from "../../../protocol/index.js";
import { formatUbusJson, type UbusValue } from "./formatUbusJson.js";
import { parseOdhcpdIpv4Leases, parseOdhcpdIpv6Leases } from "./parseOdhcpdLeases.js";

const NOW = 1_732_360_000_000;
const v4 = (leases: UbusValue[]) => formatUbusJson({ device: { "br-lan": { leases } } });
const v4Lease = (o: Record<string, UbusValue> = {}): UbusValue => ({
  mac: "001122334455",
  hostname: "host",
  "accept-reconf": false,
  flags: ["bound"],
  address: "192.168.1.10",
  valid: 3600,
  ...o,
});
const v6Lease = (o: Record<string, UbusValue> = {}): UbusValue => ({
  duid: "00030001001122334455",
  iaid: 1,
  hostname: "host",
  "accept-reconf": false,
  assigned: 16,
  flags: ["bound"],
  "ipv6-addr": [{ address: "2001:db8::10", "preferred-lifetime": 1800, "valid-lifetime": 3600 }],
  valid: 3600,
  ...o,
});

describe("formatUbusJson", () => {
  it("prints like the ubus CLI: tabs, escaped slash, \\u00XX controls, a line of tabs in an empty list", () => {
    expect(formatUbusJson({ a: { b: [] }, s: 'x/y\u0001\t"é', n: -1, t: true })).toBe(
      '{\n\t"a": {\n\t\t"b": [\n\t\t\t\n\t\t]\n\t},\n\t"s": "x\\/y\\u0001\\t\\"é",\n\t"n": -1,\n\t"t": true\n}\n',
    );
  });
});

describe("parseOdhcpdIpv4Leases", () => {
  it("turns seconds remaining into an absolute expiry from the given now, -1 into infinite", () => {
    const text = v4([v4Lease({ valid: 3600 }), v4Lease({ address: "192.168.1.11", valid: -1 })]);
    expect(parseOdhcpdIpv4Leases(text, NOW).records.map((l) => l.expiresAt)).toEqual([NOW + 3_600_000, null]);
    expect(parseOdhcpdIpv4Leases(text, NOW + 5000).records[0]?.expiresAt).toBe(NOW + 3_605_000);
  });

  it("normalises the colon-less MAC and keeps DUID and IAID of RFC 4361 clients", () => {
    const text = v4([v4Lease({ mac: "A4B1C2D3E4F5", duid: "000100012CAABBCC", iaid: -559038737 })]);
    expect(parseOdhcpdIpv4Leases(text, NOW).records).toEqual([
      {
        mac: "a4:b1:c2:d3:e4:f5",
        ip: "192.168.1.10",
        family: "ipv4",
        hostname: "host",
        expiresAt: NOW + 3_600_000,
        clientId: null,
        duid: "00:01:00:01:2c:aa:bb:cc",
        iaid: 0xdeadbeef,
        source: "odhcpd",
      },
    ]);
  });

  it("decodes JSON escapes and \\xNN byte escapes in hostnames; an empty hostname is none", () => {
    const text = v4([
      v4Lease({ hostname: "a/b" }),
      v4Lease({ hostname: "Jos\\xc3\\xa9" }),
      v4Lease({ hostname: "" }),
      v4Lease({ hostname: "x".repeat(300) }),
    ]);
    expect(text).toContain('"a\\/b"');
    expect(parseOdhcpdIpv4Leases(text, NOW).records.map((l) => l.hostname)).toEqual([
      "a/b",
      "José",
      null,
      null,
    ]);
  });

  it("skips a bad lease with its line and keeps the others", () => {
    const text = v4([v4Lease({ mac: "xyz" }), v4Lease({ address: "192.168.1.12" })]);
    const { records, skipped } = parseOdhcpdIpv4Leases(text, NOW);
    expect(records.map((l) => l.ip)).toEqual(["192.168.1.12"]);
    expect(skipped).toEqual([expect.objectContaining({ line: 5, reason: "invalid mac" })]);
  });

  it("locates entries that are not objects too, and never reports a single lease as line 0", () => {
    const text =
      '{"device": {"br-lan": {"leases": [\n"junk",\n{"mac": "001122334455", "address": "10.0.0.1", "valid": 5}, 7\n]}}}';
    const { records, skipped } = parseOdhcpdIpv4Leases(text, NOW);
    expect(records.map((l) => l.ip)).toEqual(["10.0.0.1"]);
    expect(skipped.map((s) => [s.line, s.reason])).toEqual([
      [2, "lease is not an object"],
      [3, "lease is not an object"],
    ]);
  });

  it("turns every cut-off prefix of real output into one whole-input skip (line 0), never a throw", () => {
    const real = v4([v4Lease(), v4Lease({ address: "192.168.1.11" })]);
    for (let cut = 0; cut < real.trimEnd().length; cut++) {
      const result = parseOdhcpdIpv4Leases(real.slice(0, cut), NOW);
      expect(result.records, `cut ${cut}`).toEqual([]);
      expect(result.skipped.map((s) => s.line)).toEqual([0]);
    }
    expect(parseOdhcpdIpv4Leases(real, NOW).records).toHaveLength(2);
  });

  it("rejects documents of the wrong shape as a whole", () => {
    for (const text of [
      "null",
      "[]",
      '{"device": []}',
      '{"device": {"br-lan": {"leases": {}}}}',
      "\u0000\u0001",
    ]) {
      expect(parseOdhcpdIpv4Leases(text, NOW)).toEqual({
        records: [],
        skipped: [expect.objectContaining({ line: 0 })],
      });
    }
  });

  it("parses 5,000 leases over two interfaces", () => {
    const leases = (base: number): UbusValue[] =>
      Array.from({ length: 2500 }, (_, i) =>
        v4Lease({
          mac: `02${base.toString(16).padStart(2, "0")}0000${(i >> 8).toString(16).padStart(2, "0")}${(i & 255).toString(16).padStart(2, "0")}`,
          address: `10.${base}.${i >> 8}.${i & 255}`,
          hostname: `h${base}-${i}`,
          valid: i,
        }),
      );
    const text = formatUbusJson({
      device: { "br-guest": { leases: leases(2) }, "br-lan": { leases: leases(1) } },
    });
    const { records, skipped } = parseOdhcpdIpv4Leases(text, NOW);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(5000);
    expect(records[4999]).toEqual(
      expect.objectContaining({ ip: "10.1.9.195", mac: "02:01:00:00:09:c3", expiresAt: NOW + 2499_000 }),
    );
  });
});

describe("parseOdhcpdIpv6Leases", () => {
  it("gives each address of an IA_NA its own record with the lease's DUID and IAID", () => {
    const text = v4([
      v6Lease({
        "ipv6-addr": [
          { address: "2001:DB8::10", "preferred-lifetime": 900, "valid-lifetime": 1800 },
          { address: "fd00::10", "preferred-lifetime": 1800, "valid-lifetime": 3600 },
        ],
      }),
    ]);
    expect(parseOdhcpdIpv6Leases(text, NOW).records).toEqual([
      {
        mac: null,
        ip: "2001:db8::10",
        family: "ipv6",
        hostname: "host",
        expiresAt: NOW + 1_800_000,
        clientId: null,
        duid: "00:03:00:01:00:11:22:33:44:55",
        iaid: 1,
        source: "odhcpd",
      },
      expect.objectContaining({ ip: "fd00::10", expiresAt: NOW + 3_600_000 }),
    ]);
  });

  it("treats an infinite lease's addresses as infinite despite the garbage lifetimes odhcpd prints", () => {
    const text = v4([
      v6Lease({
        valid: -1,
        "ipv6-addr": [{ address: "fd00::1", "preferred-lifetime": -86400, "valid-lifetime": -86400 }],
      }),
    ]);
    expect(parseOdhcpdIpv6Leases(text, NOW).records[0]?.expiresAt).toBeNull();
  });

  it("reads an IAID printed negative (u32 through %d) or as hex", () => {
    const text = v4([v6Lease({ iaid: -1 }), v6Lease({ iaid: "0e74a1b2" })]);
    expect(parseOdhcpdIpv6Leases(text, NOW).records.map((l) => l.iaid)).toEqual([0xffffffff, 0x0e74a1b2]);
  });

  it("ignores delegated prefixes and IAs that hold no address yet", () => {
    const pd: UbusValue = {
      duid: "00030001001122334455",
      iaid: 1,
      hostname: "",
      "accept-reconf": false,
      assigned: 16,
      flags: ["bound"],
      "ipv6-prefix": [
        { address: "2001:db8:100::", "preferred-lifetime": 1, "valid-lifetime": 2, "prefix-length": 56 },
      ],
      valid: 2,
    };
    const text = v4([pd, v6Lease({ "ipv6-addr": [] })]);
    expect(parseOdhcpdIpv6Leases(text, NOW)).toEqual({ records: [], skipped: [] });
  });

  it("turns garbage into one whole-input skip", () => {
    expect(parseOdhcpdIpv6Leases("Command failed: Not found\n", NOW)).toEqual({
      records: [],
      skipped: [
        { line: 0, reason: "not valid JSON (cut off or garbage output)", text: "Command failed: Not found" },
      ],
    });
  });
});

describe("odhcpd golden fixtures", () => {
  it("produce only records the wire schema accepts", () => {
    for (const [folder, parse] of [
      ["odhcpd-ipv4", parseOdhcpdIpv4Leases],
      ["odhcpd-ipv6", parseOdhcpdIpv6Leases],
    ] as const) {
      const dir = join(import.meta.dirname, "../../../fixtures", folder);
      for (const name of readdirSync(dir).filter(
        (f) => !f.endsWith(".expected.json") && !f.startsWith("."),
      )) {
        for (const record of parse(readFileSync(join(dir, name), "utf8"), NOW).records) {
          const errors: ValidationError[] = [];
          leaseSchema.check(record, name, errors);
          expect(errors).toEqual([]);
        }
      }
    }
  });
});
