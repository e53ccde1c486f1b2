/**
 * `bridge -j fdb show`: the Linux bridge forwarding database, i.e. which bridge port each MAC
 * was last seen on.
 *
 * Row: `{"mac":"00:1b:11:20:dc:2c","ifname":"lan1","vlan":1,"flags":[],"master":"br-lan","state":""}`.
 * Traps: `state` is a string: `""` learned, `"stale"` learned but ageing, `"static"` configured,
 * `"permanent"` one of the bridge's own addresses (older iproute2 omits `state` when empty and
 * names the port `dev` instead of `ifname`); rows flagged `self` come from the port driver's own
 * table (multicast filters, and on hardware switches a duplicate of each learned row); `vlan` is
 * present only with VLAN filtering. This is not a protocol record: the agent uses it to fill
 * Neighbor.bridgePort with attachBridgePorts.
 */
import { MAX_STRING_LENGTH, type Neighbor, normalizeMac } from "../../../protocol/index.js";
import { parseJsonObjectRows, type RowOutcome } from "../neigh/jsonArrayRows.js";
import type { ParseResult } from "../parseResult.js";

export interface BridgeFdbEntry {
  mac: string;
  /** The device the MAC is on: a bridge port, or the bridge itself for its own `self` rows. */
  interface: string;
  /** The bridge the port belongs to; null for `self` rows of the driver's own table. */
  bridge: string | null;
  vlan: number | null;
  /** One of the bridge's or port's own addresses, not a device behind it. */
  permanent: boolean;
  /** From the port driver's own table rather than the bridge's. */
  self: boolean;
}

const isName = (v: unknown): v is string =>
  typeof v === "string" && v !== "" && v.length <= MAX_STRING_LENGTH;

export function parseBridgeFdbJson(text: string): ParseResult<BridgeFdbEntry> {
  return parseJsonObjectRows(text, (row): RowOutcome<BridgeFdbEntry> => {
    const mac = typeof row.mac === "string" ? normalizeMac(row.mac) : null;
    if (!mac) {
      return { skip: "mac is not a hardware address" };
    }
    const device = row.ifname ?? row.dev;
    if (!isName(device)) {
      return { skip: "ifname is missing" };
    }
    const flags = row.flags ?? [];
    if (!Array.isArray(flags)) {
      return { skip: "flags is not an array" };
    }
    const vlan = row.vlan ?? null;
    if (vlan !== null && !(Number.isInteger(vlan) && (vlan as number) >= 0 && (vlan as number) <= 4095)) {
      return { skip: "vlan is not a VLAN id" };
    }
    const state = row.state ?? "";
    if (typeof state !== "string") {
      return { skip: "state is not a string" };
    }
    const master = row.master;
    if (master !== undefined && !isName(master)) {
      return { skip: "master is not a device name" };
    }
    return {
      record: {
        mac,
        interface: device,
        bridge: master ?? null,
        vlan: vlan as number | null,
        permanent: state === "permanent",
        self: flags.includes("self"),
      },
    };
  });
}

/**
 * Returns the neighbours with bridgePort set from the FDB where the neighbour's MAC was learned
 * on a port of the bridge the neighbour was seen on. The neighbour's interface is the bridge
 * (`br-lan`) or, on VLAN-filtering bridges such as OpenWrt DSA, a VLAN device on it (`br-lan.10`),
 * which selects the FDB rows of that VLAN. A table without VLAN ids (sysfs brforward) answers for
 * the bridge's VLAN devices too: a device is in one VLAN, and its MAC on the port it uses.
 * `self` rows duplicate learned rows on hardware switches and permanent rows are the bridge's own
 * addresses, so neither says where a device is. Neighbours without a match keep their bridgePort.
 */
export function attachBridgePorts(neighbors: Neighbor[], fdb: BridgeFdbEntry[]): Neighbor[] {
  /** Port by MAC, per bridge and per `bridge.vlan`: lookups without a key string per row. */
  const ports = new Map<string, Map<string, string>>();
  /** Bridges whose rows carry no VLAN id. */
  const withoutVlans = new Set<string>();
  const learn = (bridge: string, mac: string, port: string) => {
    let byMac = ports.get(bridge);
    if (byMac === undefined) {
      byMac = new Map();
      ports.set(bridge, byMac);
    }
    // The first row wins: a MAC is in the table once per VLAN, and the untagged form of the
    // bridge's name cannot say which VLAN was meant.
    if (!byMac.has(mac)) byMac.set(mac, port);
  };
  for (const entry of fdb) {
    if (entry.self || entry.permanent || entry.bridge === null) continue;
    learn(entry.bridge, entry.mac, entry.interface);
    if (entry.vlan !== null) learn(`${entry.bridge}.${entry.vlan}`, entry.mac, entry.interface);
    else withoutVlans.add(entry.bridge);
  }
  return neighbors.map((n) => {
    if (n.mac === null) return n;
    let port = ports.get(n.interface)?.get(n.mac);
    if (port === undefined) {
      const dot = n.interface.lastIndexOf(".");
      if (dot > 0 && withoutVlans.has(n.interface.slice(0, dot))) {
        port = ports.get(n.interface.slice(0, dot))?.get(n.mac);
      }
    }
    if (port === undefined) return n;
    // Spelled out, not spread: without V8's JIT (the agent's --lite-mode) a spread per row adds up.
    return { ip: n.ip, mac: n.mac, interface: n.interface, state: n.state, bridgePort: port };
  });
}
