import { describe, expect, it } from "vitest";
import type { Lease } from "../../protocol/index.js";
import type { StationMembership } from "../sources/source.js";
import { ChangeDetector, type ChangeInput } from "./changeDetector.js";

const lease = (ip: string, mac: string, expiresAt: number | null = 1_000): Lease => ({
  mac,
  ip,
  family: "ipv4",
  hostname: null,
  expiresAt,
  clientId: null,
  duid: null,
  iaid: null,
  source: "dnsmasq",
});
const station = (mac: string, iface = "wlan0"): StationMembership => ({ mac, interface: iface });
const snap = (
  leases: ChangeInput["leases"],
  stations: ChangeInput["stations"] = [],
  bootId = "boot-1",
): ChangeInput => ({
  bootId,
  leases,
  stations,
});

describe("ChangeDetector (explicit timestamps)", () => {
  const base = snap([lease("10.0.0.2", "aa:00:00:00:00:01")], [station("aa:00:00:00:00:01")]);

  it("publishes the first snapshot, then nothing until something changes or the interval passes", () => {
    const d = new ChangeDetector(30_000);
    expect(d.decide(base, 0)).toBe("first");
    d.published(base, 0);
    expect(d.decide(base, 5_000)).toBeNull();
    expect(d.decide(base, 29_999)).toBeNull();
    expect(d.decide(base, 30_000)).toBe("interval");
  });

  it("a lease that appears, goes or changes hands is a change; a renewal is not", () => {
    const d = new ChangeDetector(30_000);
    d.published(base, 0);
    const renewed = snap([lease("10.0.0.2", "aa:00:00:00:00:01", 9_999)], base.stations);
    expect(d.decide(renewed, 5_000)).toBeNull();
    const added = snap([...base.leases, lease("10.0.0.3", "aa:00:00:00:00:02")], base.stations);
    expect(d.decide(added, 5_000)).toBe("changed");
    expect(d.decide(snap([], base.stations), 5_000)).toBe("changed");
    expect(d.decide(snap([lease("10.0.0.2", "aa:00:00:00:00:09")], base.stations), 5_000)).toBe("changed");
  });

  it("a station joining, leaving or moving radio is a change; order and counters are not", () => {
    const d = new ChangeDetector(30_000);
    const two = snap(base.leases, [station("aa:00:00:00:00:01"), station("aa:00:00:00:00:02")]);
    d.published(two, 0);
    expect(d.decide(snap(base.leases, [...two.stations].reverse()), 1)).toBeNull();
    expect(d.decide(snap(base.leases, [station("aa:00:00:00:00:01")]), 1)).toBe("changed");
    expect(
      d.decide(snap(base.leases, [station("aa:00:00:00:00:01"), station("aa:00:00:00:00:02", "wlan1")]), 1),
    ).toBe("changed");
  });

  it("a change check and a due snapshot are told apart", () => {
    const d = new ChangeDetector(30_000);
    expect(d.due(0)).toBe("first");
    d.published(base, 1_000);
    expect(d.due(30_999)).toBeNull();
    expect(d.changed(base)).toBe(false);
    expect(d.changed(snap([], base.stations))).toBe(true);
    expect(d.due(31_000)).toBe("interval");
  });

  it("a new boot id is a change", () => {
    const d = new ChangeDetector(30_000);
    d.published(base, 0);
    expect(d.decide({ ...base, bootId: "boot-2" }, 1)).toBe("changed");
  });
});
