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
import { isIP } from "node:net";
import { MAX_STRING_LENGTH, type Neighbor, normalizeMac } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";
import { jsonArrayRows } from "./jsonArrayRows.js";
import { neighborStateFromNames } from "./nudState.js";

export function parseIpNeighJson(text: string): ParseResult<Neighbor> {
  const rows = jsonArrayRows(text);
  const records: Neighbor[] = [];
  const skipped: SkippedLine[] = [];
  for (const item of rows) {
    if (!item.ok) {
      skipped.push(item.skipped);
      continue;
    }
    const { line, index, value } = item;
    const raw = JSON.stringify(value) ?? "";
    const skip = (reason: string): void => {
      skipped.push(skippedLine(line, `row ${index}: ${reason}`, raw));
    };
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      skip("not an object");
      continue;
    }
    const row = value as Record<string, unknown>;
    if ("proxy" in row) continue;
    const { dst, dev, lladdr, state } = row;
    if (typeof dst !== "string" || isIP(dst) === 0) {
      skip("dst is not an IP address");
      continue;
    }
    if (typeof dev !== "string" || dev === "" || dev.length > MAX_STRING_LENGTH) {
      skip("dev is missing");
      continue;
    }
    let names: string[] = [];
    if (state !== undefined) {
      if (!Array.isArray(state) || !state.every((s) => typeof s === "string")) {
        skip("state is not an array of names");
        continue;
      }
      names = state;
    }
    const neighborState = neighborStateFromNames(names);
    if (!neighborState) {
      skip(`unknown state ${names.join(",")}`);
      continue;
    }
    let mac: string | null = null;
    if (lladdr !== undefined) {
      mac = typeof lladdr === "string" ? normalizeMac(lladdr) : null;
      // Tunnels print an IPv4 address as their link-layer address: not a device to join by MAC.
      if (!mac) {
        skip("lladdr is not a hardware address");
        continue;
      }
    }
    records.push({
      ip: dst.toLowerCase(),
      mac,
      interface: dev,
      state: neighborState,
      bridgePort: null,
    });
  }
  return { records, skipped };
}
