/**
 * Kernel neighbour (NUD) states as iproute2 and BusyBox print them, mapped to the protocol's
 * NEIGHBOR_STATES. Both tools print one name per set bit, so a state may come as several names.
 */
import type { NEIGHBOR_STATES } from "../../../protocol/index.js";

export type NeighborState = (typeof NEIGHBOR_STATES)[number];

/**
 * Order in which a combination of bits is resolved: a configured entry (permanent, noarp) says
 * more than a resolution state, and a usable state says more than an unresolved one. The kernel
 * sets one bit at a time in practice; this only decides odd combinations deterministically.
 */
const PRECEDENCE: readonly NeighborState[] = [
  "permanent",
  "noarp",
  "reachable",
  "delay",
  "probe",
  "stale",
  "incomplete",
  "failed",
];

/** Each state's name as the tools print it (upper case) and in lower case. */
const SINGLE_NAME = new Map<string, NeighborState>(
  [...PRECEDENCE, "none" as const].flatMap((state) => [
    [state, state],
    [state.toUpperCase(), state],
  ]),
);

/**
 * Maps printed state names (`REACHABLE`, `STALE`, ...) to one protocol state. No names means
 * NUD_NONE, which both tools print as nothing at all. Returns null when none of the names is known.
 */
export function neighborStateFromNames(names: readonly string[]): NeighborState | null {
  if (names.length === 0) return "none";
  // One name is the rule (a table of hundreds of rows each cycle): no set, no lower-casing.
  if (names.length === 1) {
    const single = SINGLE_NAME.get(names[0] as string);
    if (single !== undefined) return single;
  }
  const lower = new Set(names.map((n) => n.toLowerCase()));
  for (const state of PRECEDENCE) if (lower.has(state)) return state;
  if (lower.has("none")) return "none";
  return null;
}
