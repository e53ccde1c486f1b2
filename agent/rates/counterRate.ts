/**
 * Rates from two readings of a cumulative counter (bytes, packets, errors), correct across
 * 32-bit and 64-bit wrap and across resets.
 *
 * Kernels print 64-bit values, but 32-bit kernels and some drivers still wrap at 2^32, and SNMP
 * Counter64 wraps at 2^64. When the counter goes down:
 * - it wrapped if the previous value lay in the upper half of a counter range (2^32, else 2^64)
 *   and the wrapped delta (range - previous + current) is at most half that range, i.e. the
 *   reading is what a counter that kept counting would show;
 * - otherwise it was reset (reboot, driver reload, interface re-created). The current value is
 *   then what was counted since the reset, but the reset happened at an unknown moment of the
 *   interval, so dividing it by the whole interval would report a rate that is wrong by an unknown
 *   factor: the interval gets no rate (null) and the next interval is exact again.
 * 2^64 is not exact in a double, so the arithmetic is done in BigInt.
 */

const RANGE_32 = 1n << 32n;
const RANGE_64 = 1n << 64n;

export type CounterChange =
  | { kind: "increase"; delta: bigint }
  | { kind: "wrap32"; delta: bigint }
  | { kind: "wrap64"; delta: bigint }
  | { kind: "reset"; delta: null }
  | { kind: "invalid"; delta: null };

function toBig(value: number | bigint): bigint | null {
  if (typeof value === "bigint") return value >= 0n && value < RANGE_64 ? value : null;
  return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : null;
}

/** Classifies the change from `previous` to `current` and gives the amount counted in between. */
export function counterChange(previous: number | bigint, current: number | bigint): CounterChange {
  const prev = toBig(previous);
  const cur = toBig(current);
  if (prev === null || cur === null) return { kind: "invalid", delta: null };
  if (cur >= prev) return { kind: "increase", delta: cur - prev };
  // Only a counter that has not yet passed 2^32 can have been a 32-bit one; a value below 2^32
  // that went down without a plausible 32-bit wrap cannot be a 64-bit wrap either (that would
  // mean counting some 2^63 in one interval).
  const range = prev < RANGE_32 ? RANGE_32 : RANGE_64;
  const half = range / 2n;
  const wrapped = range - prev + cur;
  if (prev >= half && wrapped <= half)
    return { kind: range === RANGE_32 ? "wrap32" : "wrap64", delta: wrapped };
  return { kind: "reset", delta: null };
}

/**
 * Per-second rate of a counter between two readings `elapsedMs` apart, or null when there is no
 * honest answer: a reset, an invalid reading, or an interval that is zero or negative (the clock
 * was stepped back by NTP, or the readings came in the wrong order).
 */
export function counterRate(
  previous: number | bigint,
  current: number | bigint,
  elapsedMs: number,
): number | null {
  if (!Number.isFinite(elapsedMs) || elapsedMs <= 0) return null;
  const change = counterChange(previous, current);
  if (change.delta === null) return null;
  return (Number(change.delta) * 1000) / elapsedMs;
}
