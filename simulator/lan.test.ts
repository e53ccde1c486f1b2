import { describe, expect, it } from "vitest";
import { dhcpPoolProblem, Lan, lanForDevices, lanPrefixProblem } from "./lan.js";

describe("Lan", () => {
  it("numbers hosts from the network address, as OpenWrt's DHCP start counts them", () => {
    const home = new Lan("192.168.1", 24);
    expect([home.networkIp, home.gatewayIp, home.host(100), home.broadcastIp, home.netmaskIp]).toEqual([
      "192.168.1.0",
      "192.168.1.1",
      "192.168.1.100",
      "192.168.1.255",
      "255.255.255.0",
    ]);
    expect(home.lastHost).toBe(254);
    const site = new Lan("10.0.0", 22);
    expect([site.host(300), site.broadcastIp, site.netmaskIp, site.lastHost]).toEqual([
      "10.0.1.44",
      "10.0.3.255",
      "255.255.252.0",
      1022,
    ]);
  });

  it("masks its base to the prefix, so a wider LAN starts on its own boundary", () => {
    expect(new Lan("192.168.1", 22).networkIp).toBe("192.168.0.0");
    expect(new Lan("192.168.178", 21).gatewayIp).toBe("192.168.176.1");
    expect(new Lan("10.0.0", 16).broadcastIp).toBe("10.0.255.255");
  });

  it("checks prefixes and pools, naming the limit that was crossed", () => {
    expect(lanPrefixProblem(24)).toBeNull();
    expect(lanPrefixProblem(25)).toBe("the LAN prefix /25 is not from /16 to /24");
    expect(dhcpPoolProblem(100, 150, 254)).toBeNull();
    expect(dhcpPoolProblem(2, 253, 254)).toBeNull();
    expect(dhcpPoolProblem(1, 10, 254)).toMatch(
      /start 1 is not a host from 2 to 254 \(the gateway is host 1\)/,
    );
    expect(dhcpPoolProblem(200, 100, 254)).toBe(
      "the DHCP pool (start 200, limit 100) ends at host 299, past the LAN's last host 254: lower its start or limit, or widen the LAN",
    );
    expect(dhcpPoolProblem(200, 100, 1022)).toBeNull();
  });

  it("sizes the smallest LAN whose whole pool holds a household", () => {
    expect(lanForDevices(8)).toEqual({ lanPrefix: 24, dhcpStart: 2, dhcpLimit: 253 });
    expect(lanForDevices(253)).toEqual({ lanPrefix: 24, dhcpStart: 2, dhcpLimit: 253 });
    expect(lanForDevices(254)).toEqual({ lanPrefix: 23, dhcpStart: 2, dhcpLimit: 509 });
    expect(lanForDevices(2000)).toEqual({ lanPrefix: 21, dhcpStart: 2, dhcpLimit: 2045 });
  });
});
