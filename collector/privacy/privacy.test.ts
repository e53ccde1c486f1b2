/**
 * Privacy export and erase over a database filled by the household scenario: the export covers
 * every table and column the schema has (read from sqlite_master and PRAGMA table_info), and
 * after an erase the MAC and hostname bytes are nowhere in the database file or its WAL.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimulatedGateway } from "../../simulator/index.js";
import { tempDir } from "../../test/helpers.js";
import { FEED_START, Feed, householdGateway } from "../../test/simulatedFeed.js";
import { SqliteStore } from "../store/sqliteStore.js";
import { eraseSubject } from "./privacyErase.js";
import { exportSubject } from "./privacyExport.js";
import { NOT_ABOUT_GATEWAYS } from "./tablesAbout.js";

const GW = "gw-00001";
const PHONE = "da:a1:19:5c:2e:01";
const LAPTOP = "3c:a9:f4:12:34:56";

describe("privacy export and erase", () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = tempDir("privacy");
    file = join(dir.path, "c.db");
    store = new SqliteStore(file);
    await new Feed(householdGateway(GW).gw, store).runUntil(300);
    // A second, random household (other MACs and names) that must survive the erase.
    const other = new SimulatedGateway({
      gatewayId: "gw-00002",
      seed: 5,
      startTime: FEED_START,
      realtime: false,
    });
    await new Feed(other, store).runUntil(120);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  const found = (needles: string[]): string[] => {
    const hits: string[] = [];
    for (const suffix of ["", "-wal"]) {
      if (!existsSync(file + suffix)) continue;
      const bytes = readFileSync(file + suffix);
      for (const n of needles) if (bytes.includes(Buffer.from(n))) hits.push(`${n} in ${suffix || "db"}`);
    }
    return hits;
  };

  it("exports every table and every column the schema has", () => {
    const doc = exportSubject(store.db, { gatewayId: GW });
    const tables = store.db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      )
      .all()
      .map((t) => t.name);
    for (const table of tables) {
      const columns = (store.db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
      if (!columns.includes("gateway_id")) {
        expect(Object.keys(NOT_ABOUT_GATEWAYS), table).toContain(table);
        continue;
      }
      expect(doc.tables, table).toHaveProperty(table);
      for (const row of doc.tables[table] ?? [])
        expect(Object.keys(row).sort(), table).toEqual([...columns].sort());
    }
    for (const t of [
      "gateways",
      "leases",
      "devices",
      "device_samples",
      "radios",
      "interfaces",
      "interface_samples",
      "events",
      "router_info",
    ])
      expect(doc.tables[t]?.length, t).toBeGreaterThan(0);
    expect(JSON.stringify(doc)).not.toContain("gw-00002");
    // Device insight is exported with the device: its type, the signals behind it, its traffic.
    const laptop = doc.tables.devices?.find((d) => d.mac === LAPTOP);
    expect(laptop).toMatchObject({ device_type: "computer" });
    expect(laptop?.traffic_source).not.toBeNull();
    expect(laptop?.lease_down_bytes).toBeGreaterThan(0);
  });

  it("exports one device: only rows naming its MAC", () => {
    const doc = exportSubject(store.db, { gatewayId: GW, mac: PHONE });
    expect(doc.tables.devices).toHaveLength(1);
    expect(doc.tables.device_samples?.length).toBeGreaterThan(0);
    expect(doc.notAboutDevice).toContain("interfaces");
    expect(JSON.stringify(doc.tables)).not.toContain(LAPTOP);
  });

  it("erasing a gateway leaves no MAC or hostname bytes in the database or the WAL", () => {
    expect(found([PHONE, "Emmas-iPhone", "LAPTOP-7K3M2QXA"]).length).toBeGreaterThan(0);
    const result = eraseSubject(store.db, { gatewayId: GW });
    expect(result.checkpointed).toBe(true);
    expect(result.deleted.gateways).toBe(1);
    expect(result.deleted.devices).toBeGreaterThan(0);
    expect(found([PHONE, LAPTOP, "Emmas-iPhone", "LAPTOP-7K3M2QXA", "LGwebOSTV"])).toEqual([]);
    expect(exportSubject(store.db, { gatewayId: "gw-00002" }).tables.devices?.length).toBeGreaterThan(0);
  });

  it("erasing a device leaves its bytes nowhere and the other devices alone", () => {
    const result = eraseSubject(store.db, { gatewayId: GW, mac: LAPTOP });
    expect(result.deleted).toMatchObject({ devices: 1, leases: 1 });
    expect(result.deleted.events).toBeGreaterThan(0);
    expect(found([LAPTOP, "LAPTOP-7K3M2QXA"])).toEqual([]);
    expect(exportSubject(store.db, { gatewayId: GW, mac: PHONE }).tables.devices).toHaveLength(1);
  });
});
