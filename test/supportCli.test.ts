/**
 * `leaseline query` and `leaseline privacy` as users run them (the built CLI as a child
 * process), over --db and over --url against an in-process collector with a token file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenStore } from "../collector/api/tokenStore.js";
import { type Collector, startCollector } from "../collector/runCollector.js";
import { SqliteStore } from "../collector/store/sqliteStore.js";
import { silentLogger } from "../common/logger.js";
import { requireBuiltCli, runCli, tempDir } from "./helpers.js";
import { FEED_START, Feed, householdGateway } from "./simulatedFeed.js";

const GW = "gw-00001";
const PHONE = "da:a1:19:5c:2e:01";

describe("leaseline query / privacy", () => {
  const dir = tempDir("support-cli");
  const db = join(dir.path, "c.db");
  let collector: Collector;
  let url: string;
  const supportFile = join(dir.path, "support.token");
  const privacyFile = join(dir.path, "privacy.token");

  beforeAll(async () => {
    requireBuiltCli();
    const store = new SqliteStore(db);
    await new Feed(householdGateway(GW).gw, store).runUntil(200);
    store.close();
    collector = await startCollector({
      db,
      listen: "mqtt://127.0.0.1:0",
      http: { host: "127.0.0.1", port: 0 },
      log: silentLogger(),
      // The scenario's time, so the start-up sweep finds the leases unexpired.
      clock: () => FEED_START + 200_000,
    });
    url = `http://127.0.0.1:${collector.http?.port}`;
    const tokens = new TokenStore(collector.store.db);
    writeFileSync(supportFile, `${tokens.add("support").token}\n`);
    writeFileSync(privacyFile, `${tokens.add("privacy").token}\n`);
  });
  afterAll(async () => {
    await collector.close();
    dir.remove();
  });

  it("devices as a table and as JSON, the same over --db and --url", async () => {
    const table = await runCli(["query", "devices", GW, "--db", db]);
    expect(table.stderr).toBe("");
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^mac\s+type\s+vendor\s+ip\s+hostname/);
    expect(table.stdout).toContain("Emmas-iPhone");
    const local = await runCli(["query", "devices", GW, "--db", db, "--json"]);
    const remote = await runCli([
      "query",
      "devices",
      GW,
      "--url",
      url,
      "--token-file",
      supportFile,
      "--json",
    ]);
    expect(remote.stderr).toBe("");
    expect(JSON.parse(remote.stdout)).toEqual(JSON.parse(local.stdout));
  });

  it("gateway, history, bandwidth, events", async () => {
    const gateway = await runCli(["query", "gateway", GW, "--db", db]);
    expect(gateway.stdout).toMatch(/radios\ninterface\s+ssid/);
    const history = await runCli(["query", "history", GW, PHONE, "--db", db, "--json"]);
    expect(JSON.parse(history.stdout).length).toBeGreaterThan(1);
    const bandwidth = await runCli([
      "query",
      "bandwidth",
      GW,
      "--db",
      db,
      "--since",
      "2025-01-15T12:02:00Z",
      "--json",
    ]);
    expect(JSON.parse(bandwidth.stdout).every((s: { at: string }) => s.at >= "2025-01-15T12:02:00")).toBe(
      true,
    );
    const events = await runCli(["query", "events", GW, "--url", url, "--token-file", supportFile]);
    expect(events.stdout).toMatch(/join\s+da:a1:19:5c:2e:01/);
  });

  it("bad input: a clear message and exit code 2", async () => {
    const badMac = await runCli(["query", "history", GW, "zz", "--db", db]);
    expect(badMac).toMatchObject({
      code: 2,
      stderr: 'leaseline: mac: "zz" is not a MAC address (like 3c:a9:f4:12:34:56)\n',
    });
    const forbidden = await runCli([
      "privacy",
      "erase",
      "--gateway",
      GW,
      "--url",
      url,
      "--token-file",
      supportFile,
    ]);
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toMatch(/^leaseline: 403: this needs the privacy role/);
  });

  it("privacy export over --url and erase of one device through the API", async () => {
    const exported = await runCli([
      "privacy",
      "export",
      "--gateway",
      GW,
      "--mac",
      PHONE,
      "--url",
      url,
      "--token-file",
      privacyFile,
    ]);
    expect(JSON.parse(exported.stdout).tables.devices[0].hostname).toBe("Emmas-iPhone");
    const erased = await runCli([
      "privacy",
      "erase",
      "--gateway",
      GW,
      "--mac",
      PHONE,
      "--url",
      url,
      "--token-file",
      privacyFile,
    ]);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toMatch(/^erased device da:a1:19:5c:2e:01 on gw-00001\n/);
    expect(erased.stdout).toMatch(/devices\s+1 rows deleted/);
    const after = await runCli(["query", "devices", GW, "--db", db, "--json"]);
    expect(after.stdout).not.toContain(PHONE);
  });

  it("privacy erase over --db says it covers the database only", async () => {
    const erased = await runCli(["privacy", "erase", "--gateway", GW, "--db", db]);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toMatch(/gateways\s+1 rows deleted/);
    expect(erased.stdout).toContain("scope: database only");
  });
});
