/**
 * Who the router says it is: /etc/openwrt_release and /usr/lib/os-release as OpenWrt's
 * base-files templates fill them in (single quotes in the first, double quotes in the second),
 * Debian 12's os-release as it ships, `ubus call system board` as procd answers and the ubus
 * CLI prints it (blobmsg JSON: tab indentation, `"key": value`, `/` escaped as `\/`), and the
 * kernel's hostname and release files.
 */
import type { GatewayModel } from "../model.js";
import { DEBIAN_POINT_RELEASE } from "../routerModels.js";

type Identity = Pick<GatewayModel, "hardware" | "firmware" | "hostname">;

/** OpenWrt's `%D %V %C`: distribution, version, revision. */
function description(m: Identity): string {
  const f = m.firmware;
  return `${f.distribution} ${f.version} ${f.revision ?? ""}`.trimEnd();
}

/** package/base-files/files/etc/openwrt_release; null off OpenWrt. */
export function renderOpenwrtRelease(m: Identity): string | null {
  const f = m.firmware;
  if (f.distribution !== "OpenWrt") return null;
  return (
    `DISTRIB_ID='${f.distribution}'\n` +
    `DISTRIB_RELEASE='${f.version}'\n` +
    `DISTRIB_REVISION='${f.revision ?? ""}'\n` +
    `DISTRIB_TARGET='${m.hardware.target ?? ""}'\n` +
    `DISTRIB_ARCH='${m.hardware.arch ?? ""}'\n` +
    `DISTRIB_DESCRIPTION='${description(m)}'\n` +
    `DISTRIB_TAINTS='${f.taints}'\n`
  );
}

const DEBIAN_12_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

/** /usr/lib/os-release (/etc/os-release links to it on both). */
export function renderOsRelease(m: Identity): string {
  const f = m.firmware;
  if (f.distribution !== "OpenWrt") return DEBIAN_12_OS_RELEASE;
  let out =
    `NAME="${f.distribution}"\n` +
    `VERSION="${f.version}"\n` +
    `ID="openwrt"\n` +
    `ID_LIKE="lede openwrt"\n` +
    `PRETTY_NAME="${f.distribution} ${f.version}"\n` +
    `VERSION_ID="${f.version}"\n` +
    `HOME_URL="https://openwrt.org/"\n` +
    `BUG_URL="https://bugs.openwrt.org/"\n` +
    `SUPPORT_URL="https://forum.openwrt.org/"\n` +
    `BUILD_ID="${f.revision ?? ""}"\n` +
    `OPENWRT_BOARD="${m.hardware.target ?? ""}"\n` +
    `OPENWRT_ARCH="${m.hardware.arch ?? ""}"\n` +
    `OPENWRT_TAINTS="${f.taints}"\n` +
    `OPENWRT_DEVICE_MANUFACTURER="OpenWrt"\n` +
    `OPENWRT_DEVICE_MANUFACTURER_URL="https://openwrt.org/"\n` +
    `OPENWRT_DEVICE_PRODUCT="Generic"\n` +
    `OPENWRT_DEVICE_REVISION="v0"\n` +
    `OPENWRT_RELEASE="${description(m)}"\n`;
  if (f.announcesBuildDate) out += `OPENWRT_BUILD_DATE="${f.buildDate}"\n`;
  return out;
}

/** /etc/debian_version; null off Debian. */
export function renderDebianVersion(m: Identity): string | null {
  return m.firmware.distribution === "OpenWrt" ? null : `${DEBIAN_POINT_RELEASE}\n`;
}

/** A blobmsg string as libubox's JSON writer prints it: `/` is escaped too, non-ASCII stays raw. */
function blobString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\" || ch === "/") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `ubus call system board` on OpenWrt (procd's system.c field order); null where there is no ubus. */
export function renderUbusSystemBoard(m: Identity): string | null {
  const f = m.firmware;
  const hw = m.hardware;
  if (f.distribution !== "OpenWrt") return null;
  const fields = (pairs: [string, string][], indent: string) =>
    pairs.map(([k, v]) => `${indent}"${k}": ${blobString(v)}`).join(",\n");
  const release: [string, string][] = [
    ["distribution", f.distribution],
    ["version", f.version],
    ["revision", f.revision ?? ""],
    ["target", hw.target ?? ""],
    ["description", description(m)],
  ];
  if (f.announcesBuildDate) release.push(["builddate", String(f.buildDate)]);
  const board: [string, string][] = [
    ["kernel", f.kernel],
    ["hostname", m.hostname],
    ["system", hw.system],
    ["model", hw.model],
    ["board_name", hw.boardName ?? ""],
    ["rootfs_type", "squashfs"],
  ];
  return `{\n${fields(board, "\t")},\n\t"release": {\n${fields(release, "\t\t")}\n\t}\n}\n`;
}

/** /proc/sys/kernel/hostname and /proc/sys/kernel/osrelease: one line each. */
export function renderKernelHostname(m: Identity): string {
  return `${m.hostname}\n`;
}

export function renderKernelOsrelease(m: Identity): string {
  return `${m.firmware.kernel}\n`;
}

/** /sys/class/dmi/id/sys_vendor and product_name (coreboot fills both on APU boards); null without DMI. */
export function renderDmiSysVendor(m: Identity): string | null {
  return m.hardware.dmiVendor === undefined ? null : `${m.hardware.dmiVendor}\n`;
}

export function renderDmiProductName(m: Identity): string | null {
  return m.hardware.dmiVendor === undefined ? null : `${m.hardware.model}\n`;
}
