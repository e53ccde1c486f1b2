import { describe, expect, it } from "vitest";
import { TokenBucket } from "./tokenBucket.js";

describe("TokenBucket take/waitMs for the outbox pacer (explicit timestamps)", () => {
  it("allows a burst, then the sustained rate, and says how long to wait", () => {
    const pacer = new TokenBucket(10, 3, 0);
    expect([pacer.take(0), pacer.take(0), pacer.take(0), pacer.take(0)]).toEqual([true, true, true, false]);
    expect(pacer.waitMs(0)).toBe(100);
    expect(pacer.take(99)).toBe(false);
    expect(pacer.take(100)).toBe(true);
    // Idle time refills up to the burst, not beyond.
    expect(pacer.waitMs(60_000)).toBe(0);
    const sent = [0, 0, 0, 0].filter(() => pacer.take(60_000)).length;
    expect(sent).toBe(3);
  });

  it("over ten seconds sends the burst plus ten a second", () => {
    const pacer = new TokenBucket(10, 100, 0);
    let sent = 0;
    for (let t = 0; t <= 10_000; t += 5) while (pacer.take(t)) sent++;
    expect(sent).toBe(200);
  });
});
