/**
 * iproute2 output for `ip neigh` and `bridge fdb`, text and `-j` JSON, following ipneigh.c and
 * bridge/fdb.c: every text field is printed as "%s " (so lines end with a space before the
 * newline), the neighbour state is a JSON array (absent for NUD_NONE), flags are keys with null
 * values, `lladdr` is absent for FAILED entries; the fdb `state` is a string and `flags` an array.
 */
import type { GatewayModel } from "../model.js";
import { type FdbEntry, fdbEntries, type NeighborEntry, neighborEntries } from "../views.js";

export type Family = "all" | "ipv4" | "ipv6";

function select(entries: NeighborEntry[], family: Family): NeighborEntry[] {
  return family === "all" ? entries : entries.filter((n) => n.family === family);
}

/** `ip neigh show`; `entries` lets a caller that prints several views compute the table once. */
export function renderIpNeigh(
  model: GatewayModel,
  family: Family = "all",
  entries: NeighborEntry[] = neighborEntries(model),
): string {
  let out = "";
  for (const n of select(entries, family)) {
    out += `${n.ip} dev ${n.interface} `;
    if (n.mac) out += `lladdr ${n.mac} `;
    if (n.router) out += "router ";
    out += `${n.state.toUpperCase()} \n`;
  }
  return out;
}

export function renderIpNeighJson(
  model: GatewayModel,
  family: Family = "all",
  entries: NeighborEntry[] = neighborEntries(model),
): string {
  const rows = select(entries, family).map((n) => {
    const row: Record<string, unknown> = { dst: n.ip, dev: n.interface };
    if (n.mac) row.lladdr = n.mac;
    if (n.router) row.router = null;
    row.state = [n.state.toUpperCase()];
    return row;
  });
  return `${JSON.stringify(rows)}\n`;
}

export function renderBridgeFdb(model: GatewayModel, entries: FdbEntry[] = fdbEntries(model)): string {
  let out = "";
  for (const e of entries) out += fdbLine(e);
  return out;
}

function fdbLine(e: FdbEntry): string {
  let line = `${e.mac} dev ${e.ifname} `;
  for (const flag of e.flags) line += `${flag} `;
  if (e.master) line += `master ${e.master} `;
  return `${line}${e.state}\n`;
}

export function renderBridgeFdbJson(model: GatewayModel, entries: FdbEntry[] = fdbEntries(model)): string {
  const rows = entries.map((e) => {
    const row: Record<string, unknown> = { mac: e.mac, ifname: e.ifname, flags: e.flags };
    if (e.master) row.master = e.master;
    row.state = e.state;
    return row;
  });
  return `${JSON.stringify(rows)}\n`;
}
