/**
 * Device vendor from the MAC's OUI, using the IEEE registry as packaged by `oui-data` (kept up
 * to date upstream; a hand-made list would rot). Loaded on first use: the table is large and
 * only support queries need it. A randomised (locally administered) MAC has no vendor.
 */
import { createRequire } from "node:module";
import { rememberByText } from "../../common/rememberByText.js";
import { isLocallyAdministered } from "../../protocol/index.js";

let table: Record<string, string> | null = null;
/** Bounds the names remembered (about 39,000 OUIs are registered; a bench or a scan must not grow it without end). */
const MAX_CACHED_OUIS = 50_000;

function ouiTable(): Record<string, string> {
  table ??= createRequire(import.meta.url)("oui-data") as Record<string, string>;
  return table;
}

/** Loads the registry now (tens of ms), so that the first query after start-up does not wait for it. */
export function preloadOuiTable(): void {
  ouiTable();
}

/** The registered organisation's name, or null (unknown OUI, randomised MAC, not a MAC). */
export function vendorOf(mac: string | null): string | null {
  if (!mac || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) || isLocallyAdministered(mac)) return null;
  return vendorOfOui(mac.slice(0, 8));
}

/** Names by OUI as looked up: a gateway's devices share a few OUIs, and each lookup splits a long entry. */
const vendorOfOui = rememberByText((oui: string): string | null => {
  const entry = ouiTable()[oui.replaceAll(":", "").toUpperCase()];
  const name = entry?.split("\n")[0]?.trim() ?? "";
  return name === "" || name === "Private" ? null : name;
}, MAX_CACHED_OUIS);
