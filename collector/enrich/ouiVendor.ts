/**
 * Device vendor from the MAC's OUI, using the IEEE registry as packaged by `oui-data` (kept up
 * to date upstream; a hand-made list would rot). Loaded on first use: the table is large and
 * only support queries need it. A randomised (locally administered) MAC has no vendor.
 */
import { createRequire } from "node:module";
import { isLocallyAdministered } from "../../protocol/index.js";

let table: Record<string, string> | null = null;

function ouiTable(): Record<string, string> {
  table ??= createRequire(import.meta.url)("oui-data") as Record<string, string>;
  return table;
}

/** The registered organisation's name, or null (unknown OUI, randomised MAC, not a MAC). */
export function vendorOf(mac: string | null): string | null {
  if (!mac || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) || isLocallyAdministered(mac)) return null;
  const entry = ouiTable()[mac.slice(0, 8).replaceAll(":", "").toUpperCase()];
  if (!entry) return null;
  const name = entry.split("\n")[0]?.trim() ?? "";
  return name === "" || name === "Private" ? null : name;
}
