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
import { parseJsonObjectRows, type RowOutcome } from "./jsonArrayRows.js";
import { neighborStateFromNames } from "./nudState.js";

export function parseIpNeighJson(text: string): ParseResult<Neighbor> {
  return parseJsonObjectRows(text, (row): RowOutcome<Neighbor> => {
    if ("proxy" in row) return null;
    const { dst, dev, lladdr, state } = row;
    if (typeof dst !== "string" || ipFamily(dst) === 0) {
      return { skip: "dst is not an IP address" };
    }
    if (typeof dev !== "string" || dev === "" || dev.length > MAX_STRING_LENGTH) {
      return { skip: "dev is missing" };
    }
    let names: string[] = [];
    if (state !== undefined) {
      if (!Array.isArray(state) || !state.every((s) => typeof s === "string")) {
        return { skip: "state is not an array of names" };
      }
      names = state;
    }
    const neighborState = neighborStateFromNames(names);
    if (!neighborState) {
      return { skip: `unknown state ${names.join(",")}` };
    }
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
  });
}
