/**
 * The model of an x86 router (PC Engines APU, a mini PC running Debian) from the firmware's DMI
 * tables as the kernel exposes them: /sys/class/dmi/id/sys_vendor and product_name. ARM and MIPS
 * routers have no DMI; OpenWrt's ubus names their model instead.
 *
 * Trap: boards whose maker never filled the tables carry placeholders ("To be filled by O.E.M.",
 * "Default string", "System Product Name"); those say nothing and are dropped, so the model stays
 * unknown rather than wrong.
 */
import { mergeRouterIdentity, type RouterIdentity } from "./parseReleaseFiles.js";

const PLACEHOLDERS = new Set([
  "",
  "to be filled by o.e.m.",
  "default string",
  "system product name",
  "system manufacturer",
  "not specified",
  "not applicable",
  "o.e.m.",
  "oem",
  "none",
  "unknown",
  "123456789",
]);

function dmiValue(text: string | null): string | null {
  if (text === null) return null;
  // One line, but some firmware pads it with spaces or NULs.
  const value = (text.split("\n")[0] ?? "").replace(/\0/g, "").trim();
  return PLACEHOLDERS.has(value.toLowerCase()) || value.length > 128 ? null : value;
}

/** The identity DMI gives (only a model), or undefined when it names nothing. */
export function parseDmiIdentity(
  sysVendor: string | null,
  productName: string | null,
): RouterIdentity | undefined {
  const vendor = dmiValue(sysVendor);
  const product = dmiValue(productName);
  if (product === null) return undefined;
  const model =
    vendor !== null && !product.toLowerCase().startsWith(vendor.toLowerCase())
      ? `${vendor} ${product}`
      : product;
  return { ...mergeRouterIdentity(), model };
}
