import { describe, expect, it } from "vitest";
import { lease } from "../test/messages.js";
import { bandOf, joinDevices } from "./devices.js";
import type { Neighbor, Radio, Station } from "./messages.js";

const radio = (iface: string, frequencyMhz: number): Radio => ({
  interface: iface,
  phy: "phy0",
  type: "AP",
  ssid: "Home",
  mac: null,
  frequencyMhz,
  channel: null,
  channelWidthMhz: null,
  txPowerDbm: null,
  noiseDbm: null,
  channelActiveMs: null,
  channelBusyMs: null,
  channelRxMs: null,
  channelTxMs: null,
});

const station = (mac: string, iface: string, signal: number): Station => ({
  mac,
  interface: iface,
  signalDbm: signal,
  signalAvgDbm: null,
  rxBytes: 0,
  txBytes: 0,
  rxPackets: 0,
  txPackets: 0,
  txRetries: null,
  txFailed: null,
  rxBitrateMbps: null,
  txBitrateMbps: null,
  rxBitrate: null,
  txBitrate: null,
  connectedSeconds: null,
  inactiveMs: null,
  authorized: null,
  associated: null,
  suspect: [],
});

const neighbor = (ip: string, mac: string, bridgePort: string | null): Neighbor => ({
  ip,
  mac,
  interface: "br-lan",
  state: "reachable",
  bridgePort,
});

describe("joinDevices", () => {
  it("joins a lease, its neighbour entries and its station by MAC", () => {
    const devices = joinDevices({
      leases: [
        lease({ expiresAt: 5000 }),
        lease({ ip: "192.168.1.20", mac: "00:1b:11:20:dc:2c", hostname: "nas" }),
      ],
      neighbors: [
        neighbor("192.168.1.142", "d2:5f:3a:91:0c:7e", "wlan1"),
        neighbor("fe80::d05f:3aff:fe91:c7e", "d2:5f:3a:91:0c:7e", "wlan1"),
        neighbor("192.168.1.20", "00:1b:11:20:dc:2c", "lan2"),
        { ip: "192.168.1.99", mac: null, interface: "br-lan", state: "incomplete", bridgePort: null },
      ],
      stations: [station("d2:5f:3a:91:0c:7e", "wlan1", -58)],
      radios: [radio("wlan0", 2437), radio("wlan1", 5180)],
    });
    expect(devices).toEqual([
      expect.objectContaining({
        mac: "00:1b:11:20:dc:2c",
        connection: "wired",
        bridgePort: "lan2",
        randomized: false,
        hostname: "nas",
        band: null,
      }),
      expect.objectContaining({
        mac: "d2:5f:3a:91:0c:7e",
        ips: ["192.168.1.142", "fe80::d05f:3aff:fe91:c7e"],
        connection: "wifi",
        interface: "wlan1",
        band: "5GHz",
        signalDbm: -58,
        randomized: true,
        leaseExpiresAt: 5000,
        hasLease: true,
      }),
    ]);
  });

  it("leaves out the provider's router seen on the WAN port", () => {
    const devices = joinDevices({
      leases: [],
      neighbors: [
        {
          ip: "100.64.0.1",
          mac: "00:00:5e:00:01:01",
          interface: "eth1",
          state: "reachable",
          bridgePort: null,
        },
      ],
      stations: [],
      radios: [],
      router: {
        model: null,
        board: null,
        firmware: null,
        kernel: null,
        hostname: null,
        wanInterface: "eth1",
        wanMac: null,
        wanAddresses: [],
        load1: null,
        memTotalBytes: null,
        memAvailableBytes: null,
      },
    });
    expect(devices).toEqual([]);
  });

  it("maps frequencies to bands", () => {
    expect([2412, 5745, 5955, 60480].map(bandOf)).toEqual(["2.4GHz", "5GHz", "6GHz", null]);
  });
});
