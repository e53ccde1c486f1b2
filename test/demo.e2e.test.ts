/**
 * `leaseline demo`, the README's first command, as a new user runs it: a collector, a simulated
 * gateway and a real agent together, printing what the collector holds: the gateway with its
 * DHCP pool's use and the devices table (every 5 s: twice in 11 s, so a slow first snapshot still
 * shows), then stopping by itself and keeping its database.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireBuiltCli, runCli, tempDir } from "./helpers.js";

describe("leaseline demo", () => {
  const dir = tempDir("demo");
  afterAll(() => dir.remove());

  it("shows the gateway, its DHCP pool and its devices from the collector, and stops by itself", async () => {
    requireBuiltCli();
    const result = await runCli(
      ["demo", "--dir", dir.path, "--duration", "11", "--speed", "60", "--devices", "6"],
      {
        timeoutMs: 30_000,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(
      /gw-00001: online, boot [0-9a-f-]{36}, \d+ leases, DHCP pool lan 192\.168\.\d+\.100 - 192\.168\.\d+\.249: \d+ of 150 leased\n/,
    );
    expect(out).toMatch(/^mac\s+type\s+vendor\s+ip\s+hostname\s+link/m);
    expect(out.match(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}\s/gm)?.length).toBeGreaterThan(0);
    expect(out).toContain(`Demo stopped. The database stays at ${join(dir.path, "collector.db")}.`);
    expect(existsSync(join(dir.path, "collector.db"))).toBe(true);
  });
});
