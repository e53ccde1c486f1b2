import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { leaseSchema, type ValidationError } from "../../../protocol/index.js";
import { mergeKeaLeaseFiles, parseKeaLeases4, parseKeaLeases6 } from "./parseKeaLeases.js";

const H4 =
  "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id";
const H6 =
  "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id";
const T0 = 1_732_360_000;

/** A Kea 2.6 v4 row. */
const row4 = (ip: string, o: { valid?: number; state?: number; host?: string; mac?: string } = {}) =>
  `${ip},${o.mac ?? "00:11:22:33:44:55"},,${o.valid ?? 3600},${T0 + (o.valid ?? 3600)},1,0,0,${o.host ?? ""},${o.state ?? 0},,0`;
const row6 = (ip: string, o: { type?: number; valid?: number; state?: number } = {}) =>
  `${ip},00:03:00:01:00:11:22:33:44:55,${o.valid ?? 4000},${T0 + (o.valid ?? 4000)},1,3000,${o.type ?? 0},7,${o.type === 2 ? 56 : 128},0,0,,,${o.state ?? 0},,0,0,0`;
const file = (header: string, rows: string[]) => `${[header, ...rows].join("\n")}\n`;

describe("parseKeaLeases4 / parseKeaLeases6", () => {
  it("keeps the last row per address, and a valid_lifetime 0 row deletes the lease", () => {
    const text = file(H4, [
      row4("10.0.0.1", { host: "a" }),
      row4("10.0.0.2", { host: "b" }),
      row4("10.0.0.1", { host: "a2" }),
      row4("10.0.0.2", { valid: 0 }),
    ]);
    expect(parseKeaLeases4(text)).toEqual({
      records: [expect.objectContaining({ ip: "10.0.0.1", hostname: "a2" })],
      skipped: [],
    });
  });

  it.each([1, 2, 3, 4])("does not count state %i as a lease, and it ends an earlier active row", (state) => {
    expect(parseKeaLeases4(file(H4, [row4("10.0.0.1"), row4("10.0.0.1", { state })])).records).toEqual([]);
  });

  it("reads valid_lifetime 4294967295 as infinite and expire as epoch seconds otherwise", () => {
    const text = file(H4, [row4("10.0.0.1", { valid: 4294967295 }), row4("10.0.0.2", { valid: 60 })]);
    expect(parseKeaLeases4(text).records.map((l) => l.expiresAt)).toEqual([null, (T0 + 60) * 1000]);
  });

  it("finds columns by header name, whatever their order or number", () => {
    const reordered = "hostname,expire,valid_lifetime,address,client_id,hwaddr,extra";
    const text = file(reordered, [`printer,${T0 + 60},60,10.0.0.9,01:aa:bb,AA-BB-CC-DD-EE-FF,x`]);
    expect(parseKeaLeases4(text).records).toEqual([
      {
        mac: "aa:bb:cc:dd:ee:ff",
        ip: "10.0.0.9",
        family: "ipv4",
        hostname: "printer",
        expiresAt: (T0 + 60) * 1000,
        clientId: "01:aa:bb",
        duid: null,
        iaid: null,
        source: "kea",
      },
    ]);
  });

  it("unescapes &#x sequences byte by byte, so escaped UTF-8 decodes, and keeps a bare tag", () => {
    const text = file(H4, [
      row4("10.0.0.1", { host: "a&#x2cb&#x26c" }),
      row4("10.0.0.2", { host: "Jos&#xc3&#xa9" }),
      row4("10.0.0.3", { host: "x&#xzz" }),
    ]);
    expect(parseKeaLeases4(text).records.map((l) => l.hostname)).toEqual(["a,b&c", "José", "x&#xzz"]);
  });

  it("does not count a delegated prefix (lease_type 2) but does count temporary addresses", () => {
    const text = file(H6, [row6("2001:db8::1", { type: 1 }), row6("2001:db8:100::", { type: 2 })]);
    expect(parseKeaLeases6(text)).toEqual({
      records: [
        {
          mac: null,
          ip: "2001:db8::1",
          family: "ipv6",
          hostname: null,
          expiresAt: (T0 + 4000) * 1000,
          clientId: null,
          duid: "00:03:00:01:00:11:22:33:44:55",
          iaid: 7,
          source: "kea",
        },
      ],
      skipped: [],
    });
  });

  it("reports a file of the other family or without a header as a whole (line 0)", () => {
    expect(parseKeaLeases4(file(H6, [row6("2001:db8::1")])).skipped).toEqual([
      expect.objectContaining({ line: 0, reason: expect.stringContaining("header lacks") }),
    ]);
    expect(parseKeaLeases6(`${row6("2001:db8::1")}\n`).skipped).toEqual([
      expect.objectContaining({ line: 0 }),
    ]);
    expect(parseKeaLeases4("")).toEqual({ records: [], skipped: [] });
    expect(parseKeaLeases4("address,hwaddr,cli")).toEqual({ records: [], skipped: [] });
  });

  it("keeps a lease's previous row when the row being appended is cut off", () => {
    const base = file(H4, [row4("10.0.0.1", { host: "old" })]);
    const renewal = `${row4("10.0.0.1", { host: "new", valid: 0 })}\n`;
    for (let cut = 1; cut < renewal.length - 1; cut++) {
      expect(
        parseKeaLeases4(base + renewal.slice(0, cut)).records.map((l) => l.hostname),
        `cut ${cut}`,
      ).toEqual(["old"]);
    }
  });

  it("never throws on any prefix of a real file", () => {
    const real = readFileSync(
      join(import.meta.dirname, "../../../fixtures/kea6/kea-2.6-leases6.csv"),
      "utf8",
    );
    for (let cut = 0; cut <= real.length; cut += 3)
      expect(() => parseKeaLeases6(real.slice(0, cut))).not.toThrow();
  });

  it("parses 5,000 rows with renewals and deletions appended", () => {
    const rows: string[] = [];
    const ip = (i: number) => `10.1.${i >> 8}.${i & 255}`;
    for (let i = 0; i < 5000; i++) rows.push(row4(ip(i), { host: `h${i}` }));
    for (let i = 0; i < 5000; i += 100) rows.push(row4(ip(i), { valid: 0 }));
    for (let i = 1; i < 5000; i += 100) rows.push(row4(ip(i), { host: `renewed${i}`, valid: 7200 }));
    const { records, skipped } = parseKeaLeases4(file(H4, rows));
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(4950);
    expect(records.find((l) => l.ip === ip(4901))).toEqual(
      expect.objectContaining({ hostname: "renewed4901", expiresAt: (T0 + 7200) * 1000 }),
    );
    expect(records.some((l) => l.ip === ip(4900))).toBe(false);
  });

  it("produces only records the wire schema accepts, for every golden fixture", () => {
    for (const [folder, parse] of [
      ["kea4", parseKeaLeases4],
      ["kea6", parseKeaLeases6],
    ] as const) {
      const dir = join(import.meta.dirname, "../../../fixtures", folder);
      for (const name of readdirSync(dir).filter((f) => f.endsWith(".csv"))) {
        for (const record of parse(readFileSync(join(dir, name), "utf8")).records) {
          const errors: ValidationError[] = [];
          leaseSchema.check(record, name, errors);
          expect(errors).toEqual([]);
        }
      }
    }
  });
});

describe("mergeKeaLeaseFiles", () => {
  const previous = file(H4, [
    row4("10.0.0.1", { host: "from-2" }),
    row4("10.0.0.2", { host: "deleted-in-1" }),
  ]);
  const input = file(H4, [row4("10.0.0.2", { valid: 0 }), row4("10.0.0.3", { host: "from-1" })]);
  const current = file(H4, [row4("10.0.0.3", { host: "renewed" }), "10.0.0.300,broken"]);

  it("replays .2, then .1, then the live file", () => {
    const { records, skipped } = mergeKeaLeaseFiles("ipv4", { previous, input, current });
    expect(records.map((l) => [l.ip, l.hostname])).toEqual([
      ["10.0.0.1", "from-2"],
      ["10.0.0.3", "renewed"],
    ]);
    expect(skipped).toEqual([expect.objectContaining({ line: 3, reason: "expected 12 fields, found 2" })]);
  });

  it("uses .completed instead of .2 and .1 when cleanup has written it", () => {
    const completed = file(H4, [row4("10.0.0.1", { host: "compacted" })]);
    const { records } = mergeKeaLeaseFiles("ipv4", {
      previous: file(H4, [row4("10.0.0.9", { host: "stale" })]),
      input,
      completed,
      current: null,
    });
    expect(records.map((l) => [l.ip, l.hostname])).toEqual([["10.0.0.1", "compacted"]]);
  });

  it("names the leftover file a skipped row came from", () => {
    const { skipped } = mergeKeaLeaseFiles("ipv4", { input: file(H4, ["garbage"]) });
    expect(skipped).toEqual([
      expect.objectContaining({ line: 2, reason: "expected 12 fields, found 1 (in the .1 file)" }),
    ]);
  });

  it("reads each file with its own header, as files of different Kea versions sit side by side", () => {
    const oldSchema = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname";
    const { records } = mergeKeaLeaseFiles("ipv4", {
      previous: file(oldSchema, [`10.0.0.1,00:11:22:33:44:55,,3600,${T0 + 3600},1,0,0,old`]),
      current: file(H4, [row4("10.0.0.2", { host: "new" })]),
    });
    expect(records.map((l) => l.hostname)).toEqual(["old", "new"]);
  });
});
