import { describe, expect, it } from "vitest";
import type { InterfaceCounters } from "../../protocol/index.js";
import { interfaceRates } from "./interfaceRates.js";

const counters = (
  name: string,
  values: Partial<Omit<InterfaceCounters, "name">> = {},
): InterfaceCounters => ({
  name,
  rxBytes: 0,
  txBytes: 0,
  rxPackets: 0,
  txPackets: 0,
  rxErrors: 0,
  txErrors: 0,
  rxDropped: 0,
  txDropped: 0,
  ...values,
});

describe("interfaceRates", () => {
  it("rates every counter of interfaces present in both readings", () => {
    const before = [
      counters("eth0", { rxBytes: 1_000, txBytes: 4_294_967_000, rxPackets: 10, rxDropped: 5 }),
    ];
    const after = [counters("eth0", { rxBytes: 21_000, txBytes: 704, rxPackets: 30, rxDropped: 5 })];
    expect(interfaceRates(before, after, 10_000)).toEqual({
      rates: [
        {
          name: "eth0",
          rxBytes: 2_000,
          txBytes: 100, // 1,000 bytes across the 32-bit wrap
          rxPackets: 2,
          txPackets: 0,
          rxErrors: 0,
          txErrors: 0,
          rxDropped: 0,
          txDropped: 0,
        },
      ],
      appeared: [],
      vanished: [],
    });
  });

  it("gives an appeared interface null rates and lists a vanished one", () => {
    const before = [counters("eth0", { rxBytes: 100 }), counters("ppp0", { rxBytes: 5_000 })];
    const after = [counters("eth0", { rxBytes: 300 }), counters("wlan1", { rxBytes: 50 })];
    const result = interfaceRates(before, after, 1_000);
    expect(result.appeared).toEqual(["wlan1"]);
    expect(result.vanished).toEqual(["ppp0"]);
    expect(result.rates.map((r) => [r.name, r.rxBytes])).toEqual([
      ["eth0", 200],
      ["wlan1", null],
    ]);
  });

  it("gives a re-created interface's reset counters no rate, per counter", () => {
    const before = [counters("ppp0", { rxBytes: 900_000, txBytes: 10 })];
    const after = [counters("ppp0", { rxBytes: 1_200, txBytes: 20 })];
    const [rate] = interfaceRates(before, after, 5_000).rates;
    expect(rate?.rxBytes).toBeNull();
    expect(rate?.txBytes).toBe(2);
  });

  it("gives no rates when the clock went backwards", () => {
    const [rate] = interfaceRates([counters("eth0")], [counters("eth0", { rxBytes: 10 })], -1).rates;
    expect(rate?.rxBytes).toBeNull();
  });
});
