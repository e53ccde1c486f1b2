/**
 * The command channel end to end, every part the built CLI as users run it: `leaseline collector`
 * (embedded broker and HTTP API on loopback, its own speed-test server), `leaseline simulator`
 * (one scripted gateway) and `leaseline agent` reading it, driven by `leaseline query speedtest`
 * and `leaseline query refresh`. The agent's reported throughput is checked against the test
 * server's own per-transfer figures (its `speed-test transfer` log lines); results go with the
 * router's boot.
 */
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitForPort } from "../common/loopbackPorts.js";
import {
  type CliResult,
  requireBuiltCli,
  runCli,
  spawnCli,
  stopProcess,
  tempDir,
  waitFor,
} from "./helpers.js";

const GW = "gw-00001";
const GIB = 1024 * 1024 * 1024;
/**
 * Bounded by time rather than bytes: on loopback a few megabytes take milliseconds, too short to
 * compare two clocks within 20% (or to ask for a second test while the first runs), and how many
 * bytes fill a second depends on the machine. 1 GiB is the protocol's maximum; the 2-core CI
 * moves 0.3-0.6 GB/s down and 0.6-1.5 GB/s up on loopback, so a direction lasts 0.7-2 s.
 */
const BOUNDS = { downloadBytes: GIB, uploadBytes: GIB, maxSeconds: 2 };
/** How far the agent's throughput may be from the test server's for the same transfer. */
const TOLERANCE = 0.2;

/** Two devices, no random behaviour: the gateway changes only when the script says so. */
const household = (timeline: object[]) => ({
  random: false,
  gateway: { leaseSeconds: 3600, leaseFormat: "dnsmasq", uptimeAtStartSeconds: 86_400 },
  devices: [
    { id: "phone", kind: "phone", mac: "da:a1:19:5c:2e:01", hostname: "Emmas-iPhone", band: "5ghz" },
    { id: "tv", kind: "tv", mac: "a8:23:fe:01:02:03", hostname: "LGwebOSTV", band: "ethernet" },
  ],
  timeline: [{ at: 0, type: "join", device: "phone" }, { at: 0, type: "join", device: "tv" }, ...timeline],
});
/** Simulated seconds after its start at which the second simulator run reboots the gateway. */
const REBOOT_AT_S = 2;

interface SpeedTest {
  testId: string;
  status: string;
  requestedAt: string;
  downloadBitsPerSecond: number | null;
  uploadBitsPerSecond: number | null;
  rttMs: number | null;
  downloadBytes: number | null;
  uploadBytes: number | null;
  server: string | null;
  error: string | null;
}
interface Gateway {
  bootId: string;
  online: boolean;
  lastSeen: string;
  uptimeSeconds: number | null;
  speedTests: SpeedTest[];
}
interface Transfer {
  testId: string;
  direction: "download" | "upload";
  bytes: number;
  seconds: number;
  complete: boolean;
}

const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return []; // a line still being written
    }
  });

const within = (actual: number, expected: number) => Math.abs(actual - expected) / expected;

describe("command channel: leaseline agent ↔ leaseline collector", () => {
  const dir = tempDir("command-channel");
  const db = join(dir.path, "collector.db");
  const simRoot = join(dir.path, "sim");
  const gwRoot = join(simRoot, GW);
  const tokenFile = join(dir.path, "support.token");
  let brokerPort: number;
  let httpPort: number;
  let collector: ReturnType<typeof spawnCli>;
  let simulator: ReturnType<typeof spawnCli>;
  let agent: ReturnType<typeof spawnCli> | undefined;

  const api = () => ["--url", `http://127.0.0.1:${httpPort}`, "--token-file", tokenFile];
  const query = (...args: string[]) => runCli(["query", ...args, ...api()]);
  const gateway = async (): Promise<Gateway> => {
    const result = await query("gateway", GW, "--json");
    if (result.code !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout) as Gateway;
  };
  const startSimulator = (scenario: string) =>
    spawnCli([
      "simulator",
      ...["--root", simRoot, "--scenario", scenario, "--events"],
      // Stops by itself should the test not stop it.
      ...["--duration", "120"],
    ]);
  const startAgent = () =>
    spawnCli([
      "agent",
      ...["--gateway-id", GW, "--broker", `mqtt://127.0.0.1:${brokerPort}`],
      ...["--root", gwRoot, "--command-dir", join(gwRoot, "bin"), "--clock-file", join(gwRoot, ".sim/clock")],
      // Nothing but a command makes the agent publish after its first snapshot.
      ...["--interval", "60", "--poll", "60", "--state-dir", join(dir.path, "agent-state")],
    ]);
  const transfers = (testId: string): Transfer[] =>
    jsonLines(collector.output())
      .filter((l) => l.msg === "speed-test transfer" && l.testId === testId)
      .map((l) => l as unknown as Transfer);

  beforeAll(async () => {
    requireBuiltCli();
    const token = await runCli(["collector", "--db", db, "tokens", "add", "--role", "support"]);
    expect(token.code, token.stderr).toBe(0);
    writeFileSync(tokenFile, token.stdout);
    writeFileSync(join(dir.path, "household.json"), JSON.stringify(household([])));
    brokerPort = await freePort();
    httpPort = await freePort();
    collector = spawnCli(
      [
        "collector",
        ...["--db", db, "--listen", `mqtt://127.0.0.1:${brokerPort}`, "--http", `127.0.0.1:${httpPort}`],
        ...[
          "--speedtest-download",
          String(BOUNDS.downloadBytes),
          "--speedtest-upload",
          String(BOUNDS.uploadBytes),
        ],
        ...["--speedtest-seconds", String(BOUNDS.maxSeconds)],
      ],
      { LEASELINE_LOG_LEVEL: "info" },
    );
    simulator = startSimulator(join(dir.path, "household.json"));
    await Promise.all([waitForPort(brokerPort), waitForPort(httpPort)]);
    await waitFor("the simulated gateway's files", () =>
      readFile(join(gwRoot, "tmp/dhcp.leases"), "utf8").then((t) => t.includes("Emmas-iPhone")),
    );
    agent = startAgent();
    await waitFor("the gateway online at the collector", async () => (await gateway()).online);
  });

  afterAll(async () => {
    if (agent) await stopProcess(agent);
    if (simulator) await stopProcess(simulator);
    if (collector) await stopProcess(collector);
    dir.remove();
  });

  it("query speedtest measures against the collector, as its test server saw it; one test at a time", async () => {
    const started = Date.now();
    const running = query("speedtest", GW, "--json", "--wait", "20");
    const pending = await waitFor("the test pending", async () =>
      (await gateway()).speedTests.find((t) => t.status === "pending"),
    );
    const busy = await query("speedtest", GW);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toBe(
      `leaseline: 409: a speed test of ${GW} is already running (test ${pending.testId}, requested at ${pending.requestedAt}); one at a time per gateway\n`,
    );

    const result: CliResult = await running;
    expect(result.stderr).toMatch(new RegExp(`^speed test ${pending.testId} of ${GW} requested;`));
    expect(result.code).toBe(0);
    const test = JSON.parse(result.stdout) as SpeedTest;
    expect(test).toMatchObject({ testId: pending.testId, status: "done", error: null });
    expect(test.server).toBe(`127.0.0.1:${httpPort}`);
    expect(test.rttMs).toBeGreaterThan(0);
    expect(test.downloadBitsPerSecond).toBeGreaterThan(0);
    expect(test.uploadBitsPerSecond).toBeGreaterThan(0);
    expect(test.downloadBytes).toBeGreaterThan(0);
    expect(test.downloadBytes).toBeLessThanOrEqual(BOUNDS.downloadBytes);
    expect(test.uploadBytes).toBeGreaterThan(0);
    expect(test.uploadBytes).toBeLessThanOrEqual(BOUNDS.uploadBytes);
    // Both directions within their time bound (plus pings, CLI start and polling).
    expect(Date.now() - started).toBeLessThan(2 * BOUNDS.maxSeconds * 1000 + 5000);

    // query gateway lists it, with the same figures.
    const { testId, status, requestedAt, downloadBitsPerSecond, uploadBitsPerSecond, rttMs, server } = test;
    expect((await gateway()).speedTests[0]).toMatchObject({
      testId,
      status,
      requestedAt,
      downloadBitsPerSecond,
      uploadBitsPerSecond,
      rttMs,
      downloadBytes: test.downloadBytes,
      uploadBytes: test.uploadBytes,
      server,
    });

    // The test server's own account of the same transfers.
    const completedUploads = (lines: Transfer[]) =>
      lines.filter((t) => t.direction === "upload" && t.complete).reduce((sum, t) => sum + t.bytes, 0);
    const seen = await waitFor("the test server's transfer lines", () => {
      const lines = transfers(testId);
      const logged =
        lines.some((t) => t.direction === "download") && completedUploads(lines) >= (test.uploadBytes ?? 0);
      return logged ? lines : null;
    });
    const downloads = seen.filter((t) => t.direction === "download");
    expect(downloads).toHaveLength(1);
    const [download] = downloads as [Transfer];
    // What the server handed to the connection includes what was still in the socket buffers when
    // the agent stopped reading at its time bound.
    expect(download.bytes).toBeGreaterThanOrEqual(test.downloadBytes ?? 0);
    const serverDownload = (download.bytes * 8) / download.seconds;
    // Completed upload requests are what the agent counts (an answered request confirms its bytes).
    const uploads = seen.filter((t) => t.direction === "upload" && t.complete);
    expect(completedUploads(seen)).toBe(test.uploadBytes);
    const serverUpload =
      (uploads.reduce((sum, t) => sum + t.bytes, 0) * 8) / uploads.reduce((sum, t) => sum + t.seconds, 0);
    const figures = JSON.stringify({ test, download, uploads });
    expect(download.seconds, figures).toBeGreaterThanOrEqual(0.3);
    expect(within(test.downloadBitsPerSecond ?? 0, serverDownload), figures).toBeLessThan(TOLERANCE);
    expect(within(test.uploadBitsPerSecond ?? 0, serverUpload), figures).toBeLessThan(TOLERANCE);
  });

  it("query refresh returns once a fresh snapshot is stored, though nothing changed on the gateway", async () => {
    const before = await gateway();
    const asked = Date.now();
    const refreshed = await query("refresh", GW);
    expect(refreshed.stderr).toBe("");
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toMatch(
      new RegExp(`^fresh snapshot of ${GW} stored \\(sequence \\d+, after \\d+ ms\\)\\n$`),
    );
    expect(Date.now() - asked).toBeLessThan(5000);
    const after = await gateway();
    expect(Date.parse(after.lastSeen)).toBeGreaterThanOrEqual(asked);
    // A new collection, not a replay: the router's uptime has moved on (the agent polls every
    // 60 s, so its last snapshot was the one from its start; only snapshots carry the uptime).
    expect(after.uptimeSeconds).toBeGreaterThan(before.uptimeSeconds ?? Number.POSITIVE_INFINITY);
    expect(after.bootId).toBe(before.bootId);
  });

  it("a router reset deletes the speed tests with the boot", async () => {
    const before = await gateway();
    expect(before.speedTests.length).toBeGreaterThan(0);
    const [kept] = before.speedTests as [SpeedTest];
    // The same scripted gateway again (same seed: same boot id to start with), now rebooting.
    await stopProcess(simulator);
    writeFileSync(
      join(dir.path, "reboots.json"),
      JSON.stringify(household([{ at: REBOOT_AT_S, type: "reboot" }])),
    );
    simulator = startSimulator(join(dir.path, "reboots.json"));
    const events = () => jsonLines(simulator.output()).filter((e) => e.gatewayId === GW);
    await waitFor("the simulator running again", () => events().length > 0);
    const bootIdFile = join(gwRoot, "proc/sys/kernel/random/boot_id");
    if (!events().some((e) => e.type === "reboot"))
      expect((await readFile(bootIdFile, "utf8")).trim()).toBe(before.bootId);
    const reboot = await waitFor(
      "the simulated reboot",
      () => events().find((e) => e.type === "reboot"),
      REBOOT_AT_S * 1000 + 5000,
    );
    expect(reboot.bootId).not.toBe(before.bootId);
    await waitFor("the new boot id written", async () =>
      (await readFile(bootIdFile, "utf8")).includes(reboot.bootId as string),
    );
    // The agent (polling every 60 s) reports the new boot when asked.
    const refreshed = await query("refresh", GW, "--json");
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ status: "updated", bootId: reboot.bootId });
    const after = await gateway();
    expect(after.bootId).toBe(reboot.bootId);
    expect(after.speedTests).toEqual([]);
    expect(JSON.stringify(after)).not.toContain(kept.testId);
  });

  it("query speedtest is refused while the gateway is offline", async () => {
    await stopProcess(agent as ReturnType<typeof spawnCli>);
    agent = undefined;
    await waitFor("the gateway offline", async () => !(await gateway()).online);
    const offline = await query("speedtest", GW);
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(
      new RegExp(`^leaseline: 409: ${GW} is offline: .*a speed test needs the gateway online\\n$`),
    );
    expect((await gateway()).speedTests).toEqual([]);
  });
});
