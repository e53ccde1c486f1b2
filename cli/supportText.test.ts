import { describe, expect, it } from "vitest";
import { deviceCells, gatewayText, humanBytes } from "./supportText.js";

describe("support text", () => {
  it("writes byte counts in decimal units, rounding into the next unit", () => {
    expect(humanBytes(999)).toBe("999");
    expect(humanBytes(999.6)).toBe("1.0k");
    expect(humanBytes(1_234_567)).toBe("1.2M");
    expect(humanBytes(45_600_000_000)).toBe("46G");
    expect(humanBytes(null)).toBeNull();
  });

  it("shows a device's traffic from its own point of view and leaves unknown totals empty", () => {
    const [row] = deviceCells([
      {
        mac: "aa:bb:cc:dd:ee:ff",
        deviceType: "phone",
        vendor: null,
        randomized: true,
        ip: "192.168.1.20",
        hostname: "a-very-long-hostname",
        connection: "wifi",
        band: "5GHz",
        signalDbm: -61.4,
        trafficSource: null,
        downloadBytesPerSecond: 2_500_000,
        uploadBytesPerSecond: null,
        downloadBytesThisLease: 0,
        uploadBytesThisLease: 0,
      },
    ]);
    expect(row).toMatchObject({
      type: "phone",
      vendor: "(random)",
      hostname: "a-very-long…",
      link: "wifi 5GHz",
      dBm: -61,
      "down/s": "2.5M",
      "up/s": null,
      down: null,
    });
  });

  it("says a leased device that is on neither Wi-Fi nor the LAN now is away", () => {
    const device = { mac: "aa:bb:cc:dd:ee:01", connection: "unknown", band: null, bridgePort: null };
    const links = deviceCells([
      { ...device, present: false },
      { ...device, present: true },
      { ...device, connection: "wired", bridgePort: "lan2", present: true },
    ]).map((row) => row.link);
    expect(links).toEqual(["away", "unknown", "wired lan2"]);
  });

  it("prints each DHCP pool's use, says when one is full, and tells an unread configuration from no pool", () => {
    const withPools = (dhcpPools: unknown) =>
      gatewayText({
        gatewayId: "gw-1",
        router: { model: "x", dhcpPools, updatedAt: "2026-01-01T00:00:00.000Z" },
        lineQuality: [],
        speedTests: [],
        radios: [],
        interfaces: [],
      });
    const text = withPools([
      { name: "lan", start: "192.168.1.100", end: "192.168.1.249", size: 150, leased: 150, full: true },
      { name: null, start: "10.0.0.2", end: "10.0.0.9", size: 8, leased: 3, full: false },
    ]);
    expect(text).toMatch(
      /dhcp pool lan\s+192\.168\.1\.100 - 192\.168\.1\.249: 150 of 150 leased \(FULL: new devices get no address\)\n/,
    );
    expect(text).toMatch(/dhcp pool\s+10\.0\.0\.2 - 10\.0\.0\.9: 3 of 8 leased\n/);
    expect(withPools(null)).toMatch(/dhcp pools\s+\(not reported\)\n/);
    expect(withPools([])).toMatch(/dhcp pools\s+none \(no dynamic IPv4 range\)\n/);
  });

  it("prints a gateway's radios as busy percent and its interface rates in units", () => {
    const text = gatewayText({
      gatewayId: "gw-1",
      uptimeSeconds: 90_061,
      router: null,
      agentHealth: null,
      lineQuality: [],
      speedTests: [
        {
          requestedAt: "2026-01-01T00:00:00.000Z",
          status: "done",
          downloadBitsPerSecond: 94_300_000,
          uploadBitsPerSecond: 38_000_000,
          rttMs: 12.34,
          server: "collector:9464",
          error: null,
        },
      ],
      radios: [
        {
          interface: "wlan0",
          ssid: "Home",
          frequencyMhz: 2412,
          channel: 1,
          channelWidthMhz: 20,
          noiseDbm: -92,
          utilisation: 0.3104611,
        },
      ],
      interfaces: [
        {
          name: "eth1",
          rxBytesPerSecond: 4_805_015.29,
          txBytesPerSecond: 121_175.8,
          rxBytes: 3_882_188_925,
          txBytes: 10,
          rxErrors: 0,
          txErrors: 0,
          rxDropped: 1,
          txDropped: 0,
        },
      ],
    });
    expect(text).toContain("(not reported)");
    expect(text).toMatch(/done\s+94Mbit\/s\s+38Mbit\/s\s+12\.3\s+collector:9464/);
    expect(text).toMatch(/wlan0\s+Home\s+2412\s+1\s+20\s+-92\s+31\n/);
    expect(text).toMatch(/eth1\s+4\.8M\s+121k\s+3\.9G\s+10\s+0\s+0\s+1\s+0\n/);
  });
});
