/**
 * `ip -j neigh show` (iproute2 >= 4.17): IPv4 ARP and IPv6 NDP neighbours as one JSON array.
 *
 * Row: `{"dst":"192.168.1.23","dev":"br-lan","lladdr":"00:1b:11:20:dc:2c","router":null,"state":["REACHABLE"]}`.
 * Traps: `state` is an array of names and is missing altogether for NUD_NONE; flags (`router`,
 * `extern_learn`, `proxy`, ...) are keys whose value is `null`, so test for the key, not the value;
 * `lladdr` is missing for INCOMPLETE and FAILED (and NONE) entries; `-s` adds `refcnt`/`used`/
 * `probes` keys that are ignored. Proxy entries (`ip neigh show proxy`) are addresses the gateway
 * answers for, not devices, and are dropped without counting as malformed. Rows are parsed one by
 * one so a cut-off or broken row costs only itself.
 */
import { MAX_STRING_LENGTH, type Neighbor, normalizeMac } from "../../../protocol/index.js";
import { ipFamily } from "../ipFamily.js";
import type { ParseResult } from "../parseResult.js";
import { parseJsonObjectRows, type RowOutcome, rememberedObjectRows } from "./jsonArrayRows.js";
import { neighborStateFromNames } from "./nudState.js";

export function parseIpNeighJson(text: string): ParseResult<Neighbor> {
  return parseJsonObjectRows(text, readNeighbor);
}

/**
 * parseIpNeighJson for a source that reads the table every cycle: the rows of iproute2's compact
 * output are remembered by their text (rememberedObjectRows), one memo per parser so that
 * gateways sharing a process do not evict each other's rows. The records are shared from one
 * call to the next and must never be modified (attachBridgePorts copies a neighbour to set its
 * bridgePort).
 */
export function rememberingIpNeighJsonParser(): (text: string) => ParseResult<Neighbor> {
  const remembered = rememberedObjectRows(readNeighbor);
  return (text) => remembered(text) ?? parseIpNeighJson(text);
}

function readNeighbor(row: Record<string, unknown>): RowOutcome<Neighbor> {
  if ("proxy" in row) return null;
  const dst = row.dst;
  if (typeof dst !== "string" || ipFamily(dst) === 0) {
    return { skip: "dst is not an IP address" };
  }
  const dev = row.dev;
  if (typeof dev !== "string" || dev === "" || dev.length > MAX_STRING_LENGTH) {
    return { skip: "dev is missing" };
  }
  const state = row.state;
  let names: string[] = NO_NAMES;
  if (state !== undefined) {
    if (!Array.isArray(state)) return { skip: "state is not an array of names" };
    for (let i = 0; i < state.length; i++) {
      if (typeof state[i] !== "string") return { skip: "state is not an array of names" };
    }
    names = state;
  }
  const neighborState = neighborStateFromNames(names);
  if (!neighborState) {
    return { skip: `unknown state ${names.join(",")}` };
  }
  const lladdr = row.lladdr;
  let mac: string | null = null;
  if (lladdr !== undefined) {
    mac = typeof lladdr === "string" ? normalizeMac(lladdr) : null;
    // Tunnels print an IPv4 address as their link-layer address: not a device to join by MAC.
    if (!mac) {
      return { skip: "lladdr is not a hardware address" };
    }
  }
  return {
    record: {
      ip: dst.toLowerCase(),
      mac,
      interface: dev,
      state: neighborState,
      bridgePort: null,
    },
  };
}

/** A missing `state` (NUD_NONE): no names. */
const NO_NAMES: string[] = [];
