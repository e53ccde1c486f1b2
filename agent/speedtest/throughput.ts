/**
 * The arithmetic of a speed test, apart from its I/O: throughput from bytes and seconds, the
 * median of the round-trip samples, and the size of each upload request.
 */

/** Payload bits per second; null when no time passed (one chunk, or nothing, arrived). */
export function bitsPerSecond(bytes: number, seconds: number | null): number | null {
  if (seconds === null || !(seconds > 0) || bytes < 0) return null;
  return (bytes * 8) / seconds;
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The size of the next upload request: what the rate so far moves in a quarter of the time
 * bound, at least `min`, at most what is left. Short requests waste a round trip each; long
 * ones lose more when the time bound cuts them (an unanswered request confirms nothing).
 */
export function nextUploadBytes(
  confirmedBytes: number,
  elapsedSeconds: number,
  maxSeconds: number,
  leftBytes: number,
  minBytes: number,
): number {
  const rate = elapsedSeconds > 0 ? confirmedBytes / elapsedSeconds : 0;
  const wanted = Math.max(minBytes, Math.round((rate * maxSeconds) / 4));
  return Math.max(0, Math.min(leftBytes, wanted));
}
