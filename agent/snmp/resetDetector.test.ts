import { describe, expect, it } from "vitest";
import { classifyUptime, detectReset, type UptimeReading } from "./resetDetector.js";

const WRAP = 2 ** 32; // TimeTicks modulus, in centiseconds (~497 days)
const DAY_CS = 86_400 * 100;
const MINUTE_MS = 60_000;

const verdict = (previous: UptimeReading, current: UptimeReading, elapsedMs: number) =>
  detectReset(previous, current, elapsedMs).verdict;

describe("classifyUptime", () => {
  it("accepts an advance matching the elapsed time within the tolerance", () => {
    expect(classifyUptime(100_000, 106_000, 6000)).toBe("consistent");
    expect(classifyUptime(100_000, 106_900, 6000)).toBe("consistent");
    expect(classifyUptime(100_000, 105_100, 6000)).toBe("consistent");
  });

  it("treats the 2^32 wrap as an ordinary advance", () => {
    expect(classifyUptime(WRAP - 3000, 3000, 6000)).toBe("consistent");
  });

  it("sees a counter that went backwards or restarted since the last reading", () => {
    expect(classifyUptime(100_000, 50_000, 6000)).toBe("restarted");
    // Rebooted 5 s after wrapping: small, and not where the wrap would have put it.
    expect(classifyUptime(WRAP - 1000, 500, 6000)).toBe("restarted");
  });

  it("does not call clock trouble a restart", () => {
    expect(classifyUptime(100_000, 200_000, 6000)).toBe("inconsistent");
    expect(classifyUptime(1_000_000, 1_003_000, 60_000)).toBe("inconsistent");
  });
});

describe("detectReset", () => {
  const base: UptimeReading = {
    sysUpTime: 500_000,
    hrSystemUptime: 9 * DAY_CS,
    engineBoots: 4,
    engineId: "80001f88aa",
  };
  const later = (ms: number, over: Partial<UptimeReading> = {}): UptimeReading => ({
    sysUpTime: base.sysUpTime + ms / 10,
    hrSystemUptime: (base.hrSystemUptime as number) + ms / 10,
    engineBoots: 4,
    engineId: "80001f88aa",
    ...over,
  });

  it("none when every uptime advanced with the clock", () => {
    expect(detectReset(base, later(MINUTE_MS), MINUTE_MS)).toEqual({
      verdict: "none",
      reason: "hrSystemUptime advanced with the clock",
    });
  });

  it("reset when hrSystemUptime went backwards", () => {
    const d = detectReset(
      base,
      later(MINUTE_MS, { hrSystemUptime: 4000, sysUpTime: 3000, engineBoots: 5 }),
      MINUTE_MS,
    );
    expect(d.verdict).toBe("reset");
    expect(d.reason).toMatch(/^hrSystemUptime restarted/);
  });

  it("reset when the host rebooted during a gap longer than its previous uptime (no backwards step)", () => {
    const previous = { sysUpTime: 100_000, hrSystemUptime: 100_000 };
    // 1000 s up, then an hour later only 2000 s up: it restarted 2000 s ago.
    expect(verdict(previous, { sysUpTime: 190_000, hrSystemUptime: 200_000 }, 3_600_000)).toBe("reset");
  });

  it("none across the ~497-day TimeTicks wrap of hrSystemUptime and sysUpTime", () => {
    const previous = { sysUpTime: WRAP - 2000, hrSystemUptime: WRAP - 3000, engineBoots: 1 };
    expect(verdict(previous, { sysUpTime: 4000, hrSystemUptime: 3000, engineBoots: 1 }, MINUTE_MS)).toBe(
      "none",
    );
    expect(verdict({ sysUpTime: WRAP - 100 }, { sysUpTime: 900 }, 10_000)).toBe("none");
  });

  it("reset for a reboot on day 400, two days after the last poll", () => {
    const previous = { sysUpTime: 400 * DAY_CS, hrSystemUptime: 400 * DAY_CS };
    expect(verdict(previous, { sysUpTime: DAY_CS, hrSystemUptime: DAY_CS }, 2 * 86_400_000)).toBe("reset");
  });

  it("reload when only the SNMP agent restarted while the host uptime ran on", () => {
    expect(detectReset(base, later(MINUTE_MS, { sysUpTime: 300, engineBoots: 5 }), MINUTE_MS)).toEqual({
      verdict: "reload",
      reason: "SNMP agent restarted while the host stayed up (sysUpTime restarted)",
    });
    expect(verdict(base, later(MINUTE_MS, { engineBoots: 5 }), MINUTE_MS)).toBe("reload");
  });

  describe("without hrSystemUptime", () => {
    const noHost = { sysUpTime: 500_000, engineBoots: 4 };

    it("reset when sysUpTime restarted and snmpEngineBoots moved with it", () => {
      expect(verdict(noHost, { sysUpTime: 1000, engineBoots: 5 }, MINUTE_MS)).toBe("reset");
    });

    it("reset when sysUpTime restarted and the agent has no snmpEngineBoots", () => {
      expect(verdict({ sysUpTime: 500_000 }, { sysUpTime: 1000 }, MINUTE_MS)).toBe("reset");
    });

    it("reload when sysUpTime restarted with unchanged snmpEngineBoots, or boots changed alone", () => {
      expect(verdict(noHost, { sysUpTime: 1000, engineBoots: 4 }, MINUTE_MS)).toBe("reload");
      expect(verdict(noHost, { sysUpTime: 506_000, engineBoots: 5 }, MINUTE_MS)).toBe("reload");
    });

    it("falls back to these rules when only one reading has hrSystemUptime", () => {
      expect(
        verdict({ ...noHost, hrSystemUptime: 9 * DAY_CS }, { sysUpTime: 1000, engineBoots: 5 }, MINUTE_MS),
      ).toBe("reset");
    });
  });

  it("reset when a different SNMP engine answers at the address", () => {
    expect(detectReset(base, later(MINUTE_MS, { engineId: "80001f88bb" }), MINUTE_MS)).toEqual({
      verdict: "reset",
      reason: "snmpEngineID changed from 80001f88aa to 80001f88bb",
    });
  });

  it("none for small jitter backwards and for an uptime that ran ahead of the clock", () => {
    expect(verdict(base, later(MINUTE_MS - 5000), MINUTE_MS)).toBe("none");
    expect(verdict(base, later(10 * MINUTE_MS), MINUTE_MS)).toBe("none");
  });

  it("treats a negative or unknown elapsed time as zero", () => {
    expect(verdict(base, base, -5)).toBe("none");
    expect(verdict(base, { ...base, hrSystemUptime: 100 }, Number.NaN)).toBe("reset");
  });
});
