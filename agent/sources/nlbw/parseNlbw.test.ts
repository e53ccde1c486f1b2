import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNlbwCsv } from "./parseNlbwCsv.js";
import { parseNlbwJson } from "./parseNlbwJson.js";

const COLUMNS = [
  "family",
  "proto",
  "port",
  "mac",
  "ip",
  "conns",
  "rx_bytes",
  "rx_pkts",
  "tx_bytes",
  "tx_pkts",
  "layer7",
];
type Row = [number, string, number, string, string, number, number, number, number, number, string | null];

/** As client.c handle_json prints it: no spaces, no final newline. */
function json(rows: Row[]): string {
  return `{"columns":${JSON.stringify(COLUMNS)},"data":[${rows.map((r) => JSON.stringify(r)).join(",")}]}`;
}

/** As client.c handle_csv prints it: tab-separated, strings quoted, an unnamed layer7 empty. */
function csv(rows: Row[]): string {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const line = (r: Row) =>
    r
      .map((v, i) =>
        v === null ? "" : typeof v === "string" && [1, 3, 4, 10].includes(i) ? q(v) : String(v),
      )
      .join("\t");
  return `${COLUMNS.map(q).join("\t")}\n${rows.map(line).join("\n")}${rows.length > 0 ? "\n" : ""}`;
}

const hex = (n: number) => n.toString(16).padStart(2, "0");
const mac = (i: number) => `3c:00:00:00:${hex(i >> 8)}:${hex(i & 0xff)}`;

/** 250 devices x 20 services = 5,000 rows. */
function bigTable(): Row[] {
  const rows: Row[] = [];
  for (let d = 0; d < 250; d++) {
    for (let s = 0; s < 20; s++) {
      rows.push([
        4,
        s % 2 ? "UDP" : "TCP",
        1000 + s,
        mac(d),
        `10.0.${d >> 8}.${d & 0xff}`,
        1,
        1000 * (s + 1),
        10,
        100,
        1,
        null,
      ]);
    }
  }
  return rows;
}

describe("nlbw parsers", () => {
  it("sum a 5,000-row table per device, the same from JSON and CSV", () => {
    const rows = bigTable();
    const fromJson = parseNlbwJson(json(rows));
    const fromCsv = parseNlbwCsv(csv(rows));
    expect(fromJson.skipped).toEqual([]);
    expect(fromCsv).toEqual(fromJson);
    expect(fromJson.records).toHaveLength(250);
    const first = fromJson.records[0];
    // 1000 * (1 + ... + 20) bytes received, 20 * 100 sent, 20 connections.
    expect(first).toMatchObject({
      mac: "3c:00:00:00:00:00",
      rxBytes: 210_000,
      txBytes: 2000,
      connections: 20,
    });
  });

  it("joins one device's IPv4 and IPv6 rows and its MAC spellings", () => {
    const result = parseNlbwJson(
      json([
        [4, "TCP", 443, "3C:22:FB:8E:41:07", "192.168.1.23", 2, 100, 2, 10, 1, "HTTPS"],
        [6, "TCP", 443, "3c:22:fb:8e:41:07", "2001:DB8::23", 1, 50, 1, 5, 1, "HTTPS"],
      ]),
    );
    expect(result.records).toEqual([
      {
        mac: "3c:22:fb:8e:41:07",
        ips: ["192.168.1.23", "2001:db8::23"],
        rxBytes: 150,
        txBytes: 15,
        rxPackets: 3,
        txPackets: 2,
        connections: 3,
      },
    ]);
  });

  it("finds columns by name when -g changes the grouping", () => {
    const text =
      '{"columns":["mac","conns","rx_bytes","rx_pkts","tx_bytes","tx_pkts"],"data":[["3c:22:fb:8e:41:07",5,900,9,80,8]]}';
    expect(parseNlbwJson(text).records).toEqual([
      {
        mac: "3c:22:fb:8e:41:07",
        ips: [],
        rxBytes: 900,
        txBytes: 80,
        rxPackets: 9,
        txPackets: 8,
        connections: 5,
      },
    ]);
  });

  it("gives the same device totals from nlbw's grouping by host (the agent's) as from its default", () => {
    const fixture = (name: string) =>
      readFileSync(join(import.meta.dirname, "../../../fixtures/nlbw-json", name), "utf8");
    const byHost = parseNlbwJson(fixture("grouped-by-host.json"));
    expect(byHost.records.length).toBeGreaterThan(3);
    expect(byHost.records).toEqual(parseNlbwJson(fixture("household.json")).records);
  });

  it("rejects a table cut off mid-row rather than under-count a device", () => {
    const text = csv(bigTable().slice(0, 30));
    const cut = parseNlbwCsv(text.slice(0, -20));
    expect(cut.records).toEqual([]);
    expect(cut.skipped).toEqual([
      expect.objectContaining({ line: 31, reason: "unterminated last line (output was cut off)" }),
    ]);
    expect(parseNlbwJson(json(bigTable().slice(0, 30)).slice(0, -20)).records).toEqual([]);
  });

  it("reads the separator from the header (`-s`) and values without quotes (`-q`)", () => {
    const text = "family;mac;conns;rx_bytes;rx_pkts;tx_bytes;tx_pkts\n4;3c:22:fb:8e:41:07;1;10;1;20;2\n";
    expect(parseNlbwCsv(text).records).toMatchObject([
      { mac: "3c:22:fb:8e:41:07", rxBytes: 10, txBytes: 20 },
    ]);
  });

  it("never throws on garbage", () => {
    for (const text of [
      "{",
      "[]",
      "null",
      '{"columns":"x","data":[]}',
      "\u0000\u0001",
      "\n\n\n",
      '"a"\t"b"\n1\t2\n',
    ]) {
      expect(() => parseNlbwJson(text)).not.toThrow();
      expect(() => parseNlbwCsv(text)).not.toThrow();
    }
  });
});
