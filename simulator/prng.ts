/**
 * Seeded randomness for the simulator. Everything random comes from here (never Math.random) so a
 * seed reproduces a run exactly. `Prng` (common/prng.ts) is a mulberry32 stream consumed only
 * inside event handlers, which keeps a run independent of how finely time is advanced; `noise` is a stateless hash for
 * values read at arbitrary times (signal drift, inactive time) for the same reason.
 */
import { Prng } from "../common/prng.js";

export { Prng };

/** FNV-1a over a string: derives per-gateway and per-device seeds from names. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Stateless 32-bit mix of two integers (murmur3 finaliser). */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Deterministic value in [-1, 1) for (key, step): the same inputs always give the same output. */
export function noise(key: number, step: number): number {
  return mix32(key, step) / 2147483648 - 1;
}

/** A version-4 UUID from the stream, as the kernel prints `/proc/sys/kernel/random/boot_id`. */
export function uuidV4(prng: Prng): string {
  const b = prng.bytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Hex pairs joined by colons, as MACs and client ids are written. */
export function hexColon(bytes: readonly number[]): string {
  return bytes.map((x) => x.toString(16).padStart(2, "0")).join(":");
}
