/**
 * The agent's change checks against a real collector (aedes on loopback, real SQLite): at every
 * poll the agent reads the lease file and the Wi-Fi stations' header lines only (collectChanges),
 * and publishes a full snapshot only when a station joined or left a radio or a lease changed
 * hands. Counters moving are not a change. The gateway is a directory with a real lease file and
 * an `iw` script that prints real-format dumps, run through the agent's command runners.
 */
import { chmodSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Agent } from "../agent/agent.js";
import { generateStationDump } from "../agent/sources/iw/generateStationDump.js";
import { SourceSelection } from "../agent/sources/registry.js";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { type Collector, startCollector } from "../collector/runCollector.js";
import { silentLogger } from "../common/logger.js";
import { cleanupsAfterEach, tempDir, waitFor, writeBootId } from "./helpers.js";

const GATEWAY = "gw-change-check";
const POLL_MS = 25;

const IW_SCRIPT = `#!/bin/sh
here=\${0%/*}/../.iw
case "$*" in
  "--version") echo "iw version 5.19" ;;
  "dev") cat "$here/dev" ;;
  "dev wlan0 station dump") cat "$here/stations" ;;
  "dev wlan0 survey dump") : ;;
  *) echo "command failed: No such device (-19)" >&2; exit 237 ;;
esac
`;

const IW_DEV =
  "phy#0\n\tInterface wlan0\n\t\ttype AP\n\t\tchannel 36 (5180 MHz), width: 80 MHz, center1: 5210 MHz\n";

function gatewayRoot(dir: string): string {
  const root = join(dir, "gateway");
  for (const d of ["tmp", "bin", ".iw"]) mkdirSync(join(root, d), { recursive: true });
  writeBootId(root, "0c0ffee0-0000-4000-8000-000000000001");
  writeFileSync(join(root, "proc/uptime"), "1000.00 1900.00\n");
  writeFileSync(join(root, "tmp/dhcp.leases"), "1893456000 02:00:00:00:00:01 192.168.1.10 laptop *\n");
  writeFileSync(join(root, "bin/iw"), IW_SCRIPT);
  chmodSync(join(root, "bin/iw"), 0o755);
  // Commands see only the gateway's own bin directory on their PATH.
  symlinkSync("/bin/cat", join(root, "bin/cat"));
  writeFileSync(join(root, ".iw/dev"), IW_DEV);
  return root;
}

/**
 * Replaces the dump `iw` prints at once, as the kernel answers a dump: a file rewritten in place
 * could be read half-written, which is a change of stations.
 */
function writeDump(file: string, text: string): void {
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}

/** Every counter in a dump one more: what every poll of a busy radio shows. */
function countersMoved(dump: string): string {
  return dump.replace(
    /^(\t(?:rx|tx) (?:bytes|packets):\t)(\d+)$/gm,
    (_, label, n) => `${label}${Number(n) + 1}`,
  );
}

function wlanDevices(collector: Collector): string[] {
  const rows = collector.store.db
    .prepare(
      "SELECT mac FROM devices WHERE gateway_id = ? AND present = 1 AND interface = 'wlan0' ORDER BY mac",
    )
    .all(GATEWAY) as Array<{ mac: string }>;
  return rows.map((r) => r.mac);
}

function lastSnapshotSeq(collector: Collector): number {
  const row = collector.store.db
    .prepare("SELECT last_snapshot_seq AS seq FROM gateways WHERE gateway_id = ?")
    .get(GATEWAY) as { seq: number } | undefined;
  return row?.seq ?? -1;
}

describe("agent change checks", () => {
  const cleanups = cleanupsAfterEach();

  it("publishes at once when a station joins or leaves a radio, and not when only counters move", async () => {
    const dir = tempDir("change-check");
    cleanups.push(dir.remove);
    const log = silentLogger();
    const collector = await startCollector({ db: join(dir.path, "c.db"), listen: "mqtt://127.0.0.1:0", log });
    cleanups.push(() => collector.close());
    const root = gatewayRoot(dir.path);
    const stationsFile = join(root, ".iw/stations");
    const three = generateStationDump(3, { interface: "wlan0", seed: 11 });
    writeDump(stationsFile, three);
    const agent = new Agent({
      gatewayId: GATEWAY,
      ctx: createSystemContext({ root, commandTimeoutMs: 2000, commandDirs: [join(root, "bin")] }),
      sources: new SourceSelection(["dnsmasq", "iw"], {}),
      bootIdFile: "/proc/sys/kernel/random/boot_id",
      log,
      version: "test",
      stateDir: join(dir.path, "state"),
      broker: `mqtt://127.0.0.1:${collector.broker.port}`,
      intervalMs: 3_600_000,
      pollMs: POLL_MS,
      reconnect: { baseMs: 50, capMs: 250 },
      publishRate: 1000,
      shutdownFlushMs: 2000,
    });
    cleanups.push(() => agent.stop());
    await agent.start();

    await waitFor("the first snapshot", () => wlanDevices(collector).length === 3);
    const first = lastSnapshotSeq(collector);
    // Counters move at every poll: 20 polls, no snapshot.
    let dump = three;
    for (let i = 0; i < 20; i++) {
      dump = countersMoved(dump);
      writeDump(stationsFile, dump);
      await sleep(POLL_MS);
    }
    expect(lastSnapshotSeq(collector)).toBe(first);

    // A fourth station joins: published within a few polls, with the station.
    const joined = generateStationDump(1, { interface: "wlan0", seed: 12 });
    const newcomer = /^Station (\S+)/.exec(joined)?.[1] as string;
    writeDump(stationsFile, `${dump}${joined}`);
    await waitFor("the joining station's snapshot", () => wlanDevices(collector).includes(newcomer), 2000);
    const afterJoin = lastSnapshotSeq(collector);
    expect(afterJoin).toBeGreaterThan(first);

    // It leaves again.
    writeDump(stationsFile, countersMoved(dump));
    await waitFor("the leaving station's snapshot", () => !wlanDevices(collector).includes(newcomer), 2000);
    expect(wlanDevices(collector)).toHaveLength(3);
  });
});
