/**
 * The bridge's forwarding database as sysfs shows it: `/sys/class/net/br-lan/brforward`, 16 bytes
 * per entry as the kernel's br_fdb_fillbuf writes them (mac, port number's low byte, is_local,
 * ageing timer in clock ticks of 1/100 s in host byte order, port number's high byte, padding),
 * and `brif/<port>/port_no` for each port ("%#x"). Only the bridge's own table is in it: learned
 * and local entries on ports, not the bridge device's pseudo-entry nor the ports' `self` rows.
 */
import { endianness } from "node:os";
import type { GatewayModel } from "../model.js";
import { type FdbEntry, fdbEntries } from "../views.js";

const BRIDGE = "br-lan";
const ENTRY_BYTES = 16;
/** USER_HZ: the ageing timer is reported in clock_t. */
const TICKS_PER_SECOND = 100;
const LITTLE_ENDIAN = endianness() === "LE";

export function renderBrforward(model: GatewayModel, entries: FdbEntry[] = fdbEntries(model)): Uint8Array {
  const ports = new Map(model.interfaces.map((i) => [i.name, i.bridgePort]));
  const rows = entries.filter((e) => e.master === BRIDGE && e.ifname !== BRIDGE && !e.flags.includes("self"));
  const out = Buffer.alloc(rows.length * ENTRY_BYTES);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  rows.forEach((e, i) => {
    const at = i * ENTRY_BYTES;
    const port = ports.get(e.ifname) ?? 0;
    Buffer.from(e.mac.replaceAll(":", ""), "hex").copy(out, at);
    out[at + 6] = port & 0xff;
    out[at + 7] = e.state === "permanent" ? 1 : 0;
    view.setUint32(at + 8, Math.floor((e.idleMs * TICKS_PER_SECOND) / 1000) >>> 0, LITTLE_ENDIAN);
    out[at + 12] = port >> 8;
  });
  return out;
}

/** `brif/<port>/port_no` of every bridge port, relative to the bridge's sysfs directory. */
export function renderBridgePortNumbers(model: GatewayModel): [string, string][] {
  return model.interfaces
    .filter((i) => i.bridgePort !== null)
    .map((i) => [`brif/${i.name}/port_no`, `0x${(i.bridgePort as number).toString(16)}\n`]);
}

export const BRIDGE_SYSFS_DIR = `sys/class/net/${BRIDGE}`;
