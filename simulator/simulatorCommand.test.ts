import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CommanderError } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { simulatorCommand } from "../cli/simulatorCommand.js";
import { tempRoot } from "./testSupport.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.restoreAllMocks();
  process.exitCode = undefined;
});
function root(): string {
  const r = tempRoot();
  cleanups.push(r.cleanup);
  return r.root;
}

/** Runs the command in-process; returns what it wrote to stderr and stdout, and the commander error if any. */
async function run(args: string[]): Promise<{ err: string; out: string; error: CommanderError | null }> {
  let err = "";
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const cmd = simulatorCommand()
    .exitOverride()
    .configureOutput({ writeErr: (s) => (err += s), writeOut: (s) => (out += s) });
  try {
    await cmd.parseAsync(args, { from: "user" });
    return { err, out, error: null };
  } catch (error) {
    if (error instanceof CommanderError) return { err, out, error };
    throw error;
  }
}

describe("leaseline simulator options", () => {
  it.each([
    [["--speed", "0"], /--speed takes a number greater than 0, e\.g\. --speed 10/],
    [["--gateways", "two"], /--gateways takes a whole number from 1 to 100000/],
    [["--seed", "-3"], /--seed takes a whole number/],
    [["--duration", "soon"], /--duration takes a number greater than 0/],
    [["--snmp-port", "70000"], /--snmp-port takes a whole number from 1 to 65535/],
    [["--lease-format", "udhcpd"], /Allowed choices are dnsmasq, isc-dhcpd, kea/],
    [["--lease-seconds", "60"], /--lease-seconds takes a whole number from 120/],
    [["--start-clock", "yesterday"], /--start-clock takes 1970, now, an ISO date/],
    [["--lan-prefix", "25"], /--lan-prefix takes a whole number from 16 to 24/],
    [["--dhcp-start", "1"], /--dhcp-start takes a whole number from 2 to 65534/],
    [["--dhcp-limit", "0"], /--dhcp-limit takes a whole number from 1 to 65533/],
    [
      ["--dhcp-start", "200", "--dhcp-limit", "100"],
      /--lan-prefix, --dhcp-start, --dhcp-limit: the DHCP pool \(start 200, limit 100\) ends at host 299, past the LAN's last host 254/,
    ],
    [["--lan-prefix", "22", "--dhcp-limit", "1000"], /ends at host 1099, past the LAN's last host 1022/],
  ])("rejects %j naming the flag and the fix", async (extra, message) => {
    const { err, error } = await run(["--root", root(), ...extra]);
    expect(error?.exitCode).toBe(1);
    expect(err).toMatch(message);
  });

  it("requires --root unless agents run in memory, and a broker for the agents", async () => {
    let r = await run([]);
    expect(r.error).not.toBeNull();
    expect(r.err).toMatch(/--root DIR is required/);
    r = await run(["--agents"]);
    expect(r.err).toMatch(/--agents needs --broker/);
    r = await run(["--root", root(), "--broker", "mqtt://127.0.0.1:1"]);
    expect(r.err).toMatch(/--broker is for --agents/);
  });

  it("refuses SNMP ports past 65535 for a fleet, and a v3 user without keys", async () => {
    let r = await run(["--root", root(), "--gateways", "10", "--snmp-port", "65530"]);
    expect(r.err).toMatch(/needs ports up to 65539; use a lower --snmp-port/);
    r = await run(["--root", root(), "--snmp-port", "16100", "--snmp-user", "ops"]);
    expect(r.err).toMatch(/--snmp-user needs --snmp-auth-key and --snmp-priv-key/);
  });

  it("reports every problem of a bad scenario file with the file name and exits 2", async () => {
    const dir = root();
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        devices: [{ id: "phone" }],
        timeline: [
          { at: 5, type: "join", device: "tablet" },
          { at: 1, type: "explode" },
        ],
      }),
    );
    const stderr: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    await run(["--root", dir, "--scenario", file]);
    expect(process.exitCode).toBe(2);
    const text = stderr.join("");
    expect(text).toContain(`${file}: invalid scenario`);
    expect(text).toContain('timeline[0] (at 5s, "join").device: unknown device "tablet"');
    expect(text).toContain('timeline[1] (at 1s, "explode").type: expected one of join, leave');
  });

  it("runs a fleet for a simulated duration, printing events as JSON lines and writing each gateway's files", async () => {
    const dir = root();
    const { out, error } = await run([
      "--root",
      dir,
      "--gateways",
      "3",
      "--seed",
      "9",
      "--speed",
      "20000",
      "--tick-ms",
      "10",
      "--duration",
      "600",
      "--events",
    ]);
    expect(error).toBeNull();
    const events = out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.length).toBeGreaterThan(10);
    expect(new Set(events.map((e) => e.gatewayId))).toEqual(new Set(["gw-00001", "gw-00002", "gw-00003"]));
    for (const e of events) {
      expect(e.t).toBeGreaterThanOrEqual(0);
      expect(e.t).toBeLessThanOrEqual(600_000);
      expect(typeof e.clock).toBe("number");
    }
    for (const id of ["gw-00001", "gw-00002", "gw-00003"]) {
      expect(existsSync(join(dir, id, "tmp", "dhcp.leases"))).toBe(true);
      expect(existsSync(join(dir, id, "bin", "iw"))).toBe(true);
      // The run ended exactly at the requested simulated time.
      const uptime = Number(readFileSync(join(dir, id, "proc", "uptime"), "utf8").split(" ")[0]);
      expect(uptime).toBeGreaterThanOrEqual(600);
    }
  });
});
