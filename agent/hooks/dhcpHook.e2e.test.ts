/**
 * End to end: a real dnsmasq runs leaseline-dhcp-hook.sh for a real BusyBox udhcpc client, in
 * network namespaces this test creates (a router with a bridge, a client on a veth pair), and
 * the SpoolWatcher must see the lease appear with the client's vendor class and request list,
 * then disappear within a second of the client's DHCPRELEASE. No packet leaves the namespaces.
 *
 * Needs root, `ip`, `dnsmasq` and `busybox` (Debian: iproute2, dnsmasq-base, busybox). Skipped
 * when they are missing, except under CI=true, where missing requirements fail the run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteNamespace,
  failUnderCiWhenMissing,
  namespaceRequirements,
  namespaceRun,
  removeLeftoverNamespaces,
  sh,
} from "../../test/namespaces.js";
import { HOOK } from "./hookTestHelpers.js";
import type { LeaseEvent } from "./spoolReader.js";
import { SpoolWatcher } from "./spoolWatcher.js";

const PREFIX = "lle2e";
const RUN = namespaceRun(PREFIX);
const ROUTER = `${RUN}-r`;
const CLIENT = `${RUN}-c`;
const VENDOR_CLASS = "leaseline-e2e";
const HOSTNAME = "e2e-client";

const missing = namespaceRequirements(RUN, ["dnsmasq", "busybox"]);
failUnderCiWhenMissing(
  "DHCP hook end to end",
  missing,
  "install iproute2, dnsmasq-base and busybox, run as root",
);

describe.skipIf(missing.length > 0)("DHCP hook end to end (dnsmasq + udhcpc in namespaces)", () => {
  let work: string;
  let spool: string;
  let dnsmasq: ChildProcess | null = null;
  let client: ChildProcess | null = null;
  let watcher: SpoolWatcher;
  const events: { event: LeaseEvent; at: number }[] = [];
  const cleanup = (): void => {
    for (const child of [client, dnsmasq]) {
      if (child?.pid && child.exitCode === null) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    deleteNamespace(CLIENT);
    deleteNamespace(ROUTER);
  };

  const ipn = (ns: string, ...args: string[]): void => {
    const r = sh("ip", ["-n", ns, ...args]);
    if (!r.ok) throw new Error(`ip -n ${ns} ${args.join(" ")}: ${r.out}`);
  };

  const waitFor = async (what: string, test: () => boolean, ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) {
        const log = existsSync(join(work, "dnsmasq.log"))
          ? readFileSync(join(work, "dnsmasq.log"), "utf8")
          : "";
        throw new Error(`timed out waiting for ${what}\n--- dnsmasq log ---\n${log.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  beforeAll(async () => {
    // The trap: whatever ends this process, its namespaces go with it.
    process.once("exit", cleanup);
    removeLeftoverNamespaces(PREFIX);
    work = mkdtempSync(join(tmpdir(), "leaseline-e2e-"));
    spool = join(work, "spool");
    for (const ns of [ROUTER, CLIENT]) {
      const r = sh("ip", ["netns", "add", ns]);
      if (!r.ok) throw new Error(`ip netns add ${ns}: ${r.out}`);
      ipn(ns, "link", "set", "lo", "up");
    }
    ipn(ROUTER, "link", "add", "br-lan", "type", "bridge");
    ipn(ROUTER, "addr", "add", "10.77.0.1/24", "dev", "br-lan");
    ipn(ROUTER, "link", "set", "br-lan", "up");
    const veth = sh("ip", [
      "link",
      "add",
      "vh1",
      "netns",
      ROUTER,
      "type",
      "veth",
      "peer",
      "name",
      "vc1",
      "netns",
      CLIENT,
    ]);
    if (!veth.ok) throw new Error(`veth: ${veth.out}`);
    ipn(ROUTER, "link", "set", "vh1", "master", "br-lan", "up");
    ipn(CLIENT, "link", "set", "vc1", "up");

    watcher = new SpoolWatcher({
      dir: spool,
      onEvent: (event) => void events.push({ event, at: Date.now() }),
    });
    await watcher.start();

    dnsmasq = spawn(
      "ip",
      [
        "netns",
        "exec",
        ROUTER,
        "dnsmasq",
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--port=0",
        "--interface=br-lan",
        "--bind-interfaces",
        "--dhcp-range=10.77.0.50,10.77.0.150,2m",
        // dnsmasq pings an address before offering it (3 s); nothing else can hold one here.
        "--no-ping",
        `--dhcp-leasefile=${join(work, "leases")}`,
        `--pid-file=${join(work, "dnsmasq.pid")}`,
        `--log-facility=${join(work, "dnsmasq.log")}`,
        "--log-dhcp",
        `--dhcp-script=${HOOK}`,
      ],
      { env: { ...process.env, LEASELINE_SPOOL: spool }, stdio: "ignore" },
    );
    await waitFor("dnsmasq to start", () => existsSync(join(work, "dnsmasq.pid")), 5000);
  });

  afterAll(async () => {
    await watcher?.stop();
    cleanup();
    process.removeListener("exit", cleanup);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("sees the lease with the client's vendor class and request list, then its release within 1 s", async () => {
    // udhcpc only sends DHCPRELEASE for an address it has configured, so its script configures it.
    const script = join(work, "udhcpc.sh");
    writeFileSync(
      script,
      [
        "#!/bin/sh",
        'case "$1" in',
        'bound|renew) [ -n "$mask" ] || mask=24; ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface" ;;',
        'deconfig) ip addr flush dev "$interface" ;;',
        "esac",
        "exit 0",
        "",
      ].join("\n"),
    );
    chmodSync(script, 0o755);
    client = spawn(
      "ip",
      ["netns", "exec", CLIENT, "busybox", "udhcpc", "-f", "-R", "-i", "vc1", "-t", "10", "-T", "1"].concat([
        "-V",
        VENDOR_CLASS,
        "-O",
        "119",
        "-O",
        "121",
        "-x",
        `hostname:${HOSTNAME}`,
        "-s",
        script,
      ]),
      { stdio: "ignore" },
    );

    await waitFor("the add event", () => events.some((e) => e.event.action === "add"), 20_000);
    const add = events.find((e) => e.event.action === "add")?.event as LeaseEvent;
    expect(add).toMatchObject({
      server: "dnsmasq",
      hostname: HOSTNAME,
      vendorClass: VENDOR_CLASS,
      interface: "br-lan",
      tags: expect.arrayContaining(["br-lan"]),
    });
    expect(add.ip).toMatch(/^10\.77\.0\.\d+$/);
    expect(add.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(add.requestedOptions).toEqual(expect.arrayContaining([1, 3, 6, 119, 121]));
    expect(add.expiresAt).toBeGreaterThan(Date.now());

    // Give udhcpc a moment to configure the address (its script runs after the ACK).
    await waitFor(
      "the client's address",
      () => sh("ip", ["-n", CLIENT, "-4", "addr", "show", "dev", "vc1"]).out.includes(add.ip),
      5000,
    );
    const releasedAt = Date.now();
    client.kill("SIGTERM");
    await waitFor("the del event", () => events.some((e) => e.event.action === "del"), 5000);
    const del = events.find((e) => e.event.action === "del") as { event: LeaseEvent; at: number };
    expect(del.event).toMatchObject({ mac: add.mac, ip: add.ip });
    expect(del.at - releasedAt).toBeLessThan(1000);
    expect(watcher.stats).toMatchObject({ malformed: 0, handlerErrors: 0, overflows: 0 });
  });
});
