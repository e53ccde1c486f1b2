/** Collector-clock times as support sees them: ISO-8601 UTC; null stays null (never, or unknown). */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
