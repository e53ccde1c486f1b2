/**
 * End to end on a real kernel bridge: in a network namespace this test makes (br-lan with two
 * veth ports, static forwarding entries and neighbours), `leaseline agent --once --print` must
 * place each neighbour on its bridge port from sysfs (`sysfs-fdb`, no process), exactly as it does
 * from `bridge -j fdb show` (`bridge-fdb`), and leave a port's own address unplaced.
 *
 * Needs root, `ip` and `bridge` (Debian: iproute2). Skipped when they are missing, except under
 * CI=true, where missing requirements fail the run.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Neighbor } from "../protocol/index.js";
import { CLI, requireBuiltCli } from "./helpers.js";
import {
  deleteNamespace,
  failUnderCiWhenMissing,
  namespaceRequirements,
  namespaceRun,
  removeLeftoverNamespaces,
  sh,
} from "./namespaces.js";

const PREFIX = "llfdb";
const RUN = namespaceRun(PREFIX);
const GATEWAY = `${RUN}-g`;

const WIRED = { ip: "10.9.0.23", mac: "00:1b:11:20:dc:2c", port: "lan1" };
const WIFI = { ip: "10.9.0.42", mac: "d2:5f:3a:91:0c:7e", port: "phy0-ap0" };

const missing = namespaceRequirements(RUN, ["bridge"]);
failUnderCiWhenMissing("bridge ports on a kernel bridge", missing, "install iproute2, run as root");

describe.skipIf(missing.length > 0)("bridge ports on a kernel bridge (namespace)", () => {
  const run = (cmd: string, ...args: string[]): void => {
    const r = sh(cmd, args);
    if (!r.ok) throw new Error(`${cmd} ${args.join(" ")}: ${r.out}`);
  };
  let lan1Mac = "";

  beforeAll(() => {
    requireBuiltCli();
    process.once("exit", () => deleteNamespace(GATEWAY));
    removeLeftoverNamespaces(PREFIX);
    run("ip", "netns", "add", GATEWAY);
    const ipn = (...args: string[]) => run("ip", "-n", GATEWAY, ...args);
    ipn("link", "set", "lo", "up");
    ipn("link", "add", "br-lan", "type", "bridge");
    for (const port of ["lan1", "phy0-ap0"]) {
      ipn("link", "add", port, "type", "veth", "peer", "name", `${port}-peer`);
      ipn("link", "set", port, "master", "br-lan");
      ipn("link", "set", port, "up");
    }
    ipn("addr", "add", "10.9.0.1/24", "dev", "br-lan");
    ipn("link", "set", "br-lan", "up");
    lan1Mac = sh("ip", ["netns", "exec", GATEWAY, "cat", "/sys/class/net/lan1/address"]).out.trim();
    for (const device of [WIRED, WIFI]) {
      run("bridge", "-n", GATEWAY, "fdb", "add", device.mac, "dev", device.port, "master", "static");
      ipn("neigh", "add", device.ip, "lladdr", device.mac, "dev", "br-lan", "nud", "permanent");
    }
    // A neighbour whose MAC is one of the bridge's own port addresses: no device behind a port.
    ipn("neigh", "add", "10.9.0.99", "lladdr", lan1Mac, "dev", "br-lan", "nud", "permanent");
  });

  afterAll(() => deleteNamespace(GATEWAY));

  /** The neighbours the agent reports inside the namespace with these sources. */
  function neighboursWith(sources: string): { neighbors: Neighbor[]; status: unknown } {
    const r = spawnSync(
      "ip",
      ["netns", "exec", GATEWAY, process.execPath, CLI, "agent", "--once", "--print", "--sources", sources],
      { encoding: "utf8", timeout: 20_000 },
    );
    if (r.status !== 0) throw new Error(`agent --once --print --sources ${sources}: ${r.stderr}`);
    const snapshot = JSON.parse(r.stdout);
    const neighbors = (snapshot.neighbors as Neighbor[]).filter((n) => n.ip.startsWith("10.9.0."));
    return { neighbors: neighbors.sort((a, b) => a.ip.localeCompare(b.ip)), status: snapshot.sources };
  }

  it("reads each device's port from sysfs, as `bridge fdb` gives it", () => {
    const fromSysfs = neighboursWith("ip-neigh,sysfs-fdb");
    expect(fromSysfs.neighbors.map((n) => [n.ip, n.mac, n.bridgePort])).toEqual([
      [WIRED.ip, WIRED.mac, WIRED.port],
      [WIFI.ip, WIFI.mac, WIFI.port],
      ["10.9.0.99", lan1Mac, null],
    ]);
    expect(neighboursWith("ip-neigh,bridge-fdb").neighbors).toEqual(fromSysfs.neighbors);
  });
});
