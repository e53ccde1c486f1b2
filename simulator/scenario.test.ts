import { describe, expect, it } from "vitest";
import { loadScenario, parseScenario, ScenarioError } from "./scenario.js";

function problems(json: unknown): string[] {
  try {
    parseScenario(JSON.stringify(json), "s.json");
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  return [];
}

describe("scenario validation", () => {
  it("accepts the shipped example", () => {
    const s = loadScenario(new URL("./scenarios/household.json", import.meta.url).pathname);
    expect(s.devices.map((d) => d.id)).toEqual(["emma-phone", "work-laptop", "living-tv", "plug"]);
    expect(s.timeline.length).toBeGreaterThan(10);
  });

  it("reports every problem at once, naming the entry", () => {
    const found = problems({
      gateway: { leaseSeconds: 60, leaseFormat: "udhcpd", colour: "red" },
      devices: [{ id: "a", mac: "AA-BB-CC-DD-EE-FF" }, { id: "a" }, { id: "b", hostname: "my phone" }],
      timeline: [
        { at: 10, type: "join", device: "a", downBps: -5 },
        { at: 5, type: "roam", device: "a", band: "ethernet" },
        { at: 20, type: "traffic", device: "zz" },
        { at: 30, type: "leave", device: "b", relase: true },
      ],
    });
    expect(found).toEqual([
      'gateway: unknown key "colour" (allowed: leaseSeconds, lanPrefix, dhcpStart, dhcpLimit, leaseFormat, leaseFileOnFlash, startClock, ntpSyncSeconds, uptimeAtStartSeconds, wrap32, iwVersion)',
      "gateway.leaseSeconds: expected a whole number from 120 to 31536000, got 60",
      'gateway.leaseFormat: expected one of dnsmasq, isc-dhcpd, kea, got "udhcpd"',
      "devices[0].mac: expected a lower-case colon-separated MAC like 02:1a:2b:3c:4d:5e",
      'devices[1]: duplicate device id "a"',
      'devices[2].hostname: dnsmasq hostnames use only letters, digits, "_" and "-"',
      'timeline[0] (at 10s, "join").downBps: expected a number from 0 to 1250000000, got -5',
      'timeline[1] (at 5s, "roam").band: expected one of 2.4ghz, 5ghz, got "ethernet"',
      'timeline[2] (at 20s, "traffic").device: unknown device "zz" (declare it under "devices")',
      'timeline[2] (at 20s, "traffic").downBps: required for "traffic" (bytes per second)',
      'timeline[2] (at 20s, "traffic").upBps: required for "traffic" (bytes per second)',
      'timeline[3] (at 30s, "leave"): unknown key "relase" (allowed: at, type, device, release)',
    ]);
  });

  it("checks the DHCP pool against the LAN", () => {
    const timeline = [{ at: 1, type: "join", device: "a" }];
    const devices = [{ id: "a" }];
    expect(problems({ gateway: { dhcpStart: 1, dhcpLimit: 300 }, devices, timeline })).toEqual([
      "gateway.dhcpStart: expected a whole number from 2 to 254, got 1",
      "gateway.dhcpLimit: expected a whole number from 1 to 253, got 300",
    ]);
    expect(problems({ gateway: { dhcpStart: 200 }, devices, timeline })).toEqual([
      "gateway.dhcpStart, gateway.dhcpLimit: the DHCP pool (start 200, limit 150) ends at host 349, past the LAN's last host 254: lower its start or limit, or widen the LAN",
    ]);
    // A value wrong on its own is reported alone, not again as a pool made of the default in its place.
    expect(problems({ gateway: { lanPrefix: 12, dhcpLimit: 400 }, devices, timeline })).toEqual([
      "gateway.lanPrefix: expected a whole number from 16 to 24, got 12",
      "gateway.dhcpLimit: expected a whole number from 1 to 253, got 400",
    ]);
    expect(problems({ gateway: { dhcpStart: 1, dhcpLimit: 200 }, devices, timeline })).toEqual([
      "gateway.dhcpStart: expected a whole number from 2 to 254, got 1",
    ]);
    expect(problems({ gateway: { dhcpStart: 2, dhcpLimit: 253 }, devices, timeline })).toEqual([]);
    expect(problems({ gateway: { lanPrefix: 22, dhcpStart: 200 }, devices, timeline })).toEqual([]);
  });

  it("requires entries in time order and a timeline", () => {
    expect(
      problems({
        devices: [{ id: "a" }],
        timeline: [
          { at: 10, type: "join", device: "a" },
          { at: 5, type: "silent", device: "a" },
        ],
      }),
    ).toEqual(['timeline[1] (at 5s, "silent"): entries must be in time order (previous at 10)']);
    expect(problems({ devices: [] })).toEqual(["timeline: required, an array of entries"]);
  });

  it("names the file when it is not JSON or missing", () => {
    expect(() => parseScenario("{", "broken.json")).toThrow(
      /^broken\.json: invalid scenario:\n {2}- not valid JSON/,
    );
    expect(() => loadScenario("/nonexistent/s.json")).toThrow(
      /\/nonexistent\/s\.json: invalid scenario:\n {2}- cannot read/,
    );
  });
});
