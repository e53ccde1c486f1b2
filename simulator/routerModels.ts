/**
 * Which router a simulated gateway is, and which firmware it runs. OpenWrt gateways are models
 * OpenWrt supports, with the board name, target and CPU line their device tree and /proc/cpuinfo
 * give; Debian-style gateways (ISC dhcpd or Kea) are small x86 boxes on Debian 12. The maker's
 * OUI gives the router's MACs and its default SSID the Wi-Fi name, so the identity the agent
 * reads and the addresses it sees tell the same story.
 */
import type { GatewayFlavour } from "./flavour.js";

export interface RouterHardware {
  /** Marketing name: OpenWrt's `model` (device tree); the DMI product name on x86. */
  model: string;
  /** OpenWrt's board_name (the first device-tree compatible); null on x86 Debian boxes. */
  boardName: string | null;
  /** OpenWrt target/subtarget and package architecture; null off OpenWrt. */
  target: string | null;
  arch: string | null;
  /** ubus's `system`: "system type" from /proc/cpuinfo on MIPS, the processor line elsewhere. */
  system: string;
  /** `uname -m`. */
  machine: string;
  /** DMI sys_vendor (/sys/class/dmi/id) on x86 boards; ARM and MIPS routers have no DMI. */
  dmiVendor?: string;
  /** Single-core SoCs build their kernel without SMP, and `uname -v` says so. */
  smp: boolean;
  oui: string;
  /** The maker's default SSID first, then names ISPs provision instead. */
  ssidPrefixes: readonly string[];
}

export interface FirmwareRelease {
  distribution: "OpenWrt" | "Debian GNU/Linux";
  version: string;
  /** OpenWrt build revision; Debian has none. */
  revision: string | null;
  /** `uname -r`. */
  kernel: string;
  /** Build time, seconds since the epoch: OpenWrt's kernel build stamp and (24.10 on) OPENWRT_BUILD_DATE. */
  buildDate: number;
  /** OpenWrt 24.10 writes OPENWRT_BUILD_DATE and ubus reports `builddate`; 23.05 does neither. */
  announcesBuildDate: boolean;
  /** OpenWrt's taints (DISTRIB_TAINTS, OPENWRT_TAINTS). */
  taints: string;
  /** Debian's `uname -v` names the package; OpenWrt's is "#0 [SMP] <build date>". */
  debianKernelPackage: string | null;
}

const ISP_SSIDS = ["Leaseline", "HomeNet"];

/** The four router makers whose OUIs the simulator has always used, now with a model each. */
const OPENWRT_HARDWARE: readonly RouterHardware[] = [
  {
    model: "GL.iNet GL-MT6000",
    boardName: "glinet,gl-mt6000",
    target: "mediatek/filogic",
    arch: "aarch64_cortex-a53",
    system: "ARMv8 Processor rev 4",
    machine: "aarch64",
    smp: true,
    oui: "94:83:c4",
    ssidPrefixes: ["GL-MT6000-", ...ISP_SSIDS],
  },
  {
    model: "TP-Link Archer C7 v5",
    boardName: "tplink,archer-c7-v5",
    target: "ath79/generic",
    arch: "mips_24kc",
    system: "Qualcomm Atheros QCA956X ver 1 rev 0",
    machine: "mips",
    smp: false,
    oui: "c4:e9:84",
    ssidPrefixes: ["TP-Link_", ...ISP_SSIDS],
  },
  {
    model: "Linksys E8450 (UBI)",
    boardName: "linksys,e8450-ubi",
    target: "mediatek/mt7622",
    arch: "aarch64_cortex-a53",
    system: "ARMv8 Processor rev 4",
    machine: "aarch64",
    smp: true,
    oui: "60:38:e0",
    ssidPrefixes: ["Linksys", ...ISP_SSIDS],
  },
  {
    model: "MikroTik hAP ac2",
    boardName: "mikrotik,hap-ac2",
    target: "ipq40xx/mikrotik",
    arch: "arm_cortex-a7_neon-vfpv4",
    system: "ARMv7 Processor rev 5 (v7l)",
    machine: "armv7l",
    smp: true,
    oui: "e4:8d:8c",
    ssidPrefixes: ["MikroTik-", ...ISP_SSIDS],
  },
];

/** PC Engines APU boards with two mini-PCIe Wi-Fi cards: a common Debian router build. */
const DEBIAN_HARDWARE: readonly RouterHardware[] = [
  {
    model: "apu2",
    boardName: null,
    target: null,
    arch: null,
    system: "AMD GX-412TC SOC",
    machine: "x86_64",
    dmiVendor: "PC Engines",
    smp: true,
    oui: "00:0d:b9",
    ssidPrefixes: ISP_SSIDS,
  },
  {
    model: "apu4",
    boardName: null,
    target: null,
    arch: null,
    system: "AMD GX-412TC SOC",
    machine: "x86_64",
    dmiVendor: "PC Engines",
    smp: true,
    oui: "00:0d:b9",
    ssidPrefixes: ISP_SSIDS,
  },
];

export function routerHardwareFor(flavour: GatewayFlavour): readonly RouterHardware[] {
  return flavour === "openwrt" ? OPENWRT_HARDWARE : DEBIAN_HARDWARE;
}

const OPENWRT_23_05_5: FirmwareRelease = {
  distribution: "OpenWrt",
  version: "23.05.5",
  revision: "r24106-10cc5fcd00",
  kernel: "5.15.167",
  buildDate: 1727094886,
  announcesBuildDate: false,
  taints: "",
  debianKernelPackage: null,
};

const OPENWRT_24_10_5: FirmwareRelease = {
  distribution: "OpenWrt",
  version: "24.10.5",
  revision: "r29087-d9c5716d1d",
  kernel: "6.6.119",
  buildDate: 1765471845,
  announcesBuildDate: true,
  taints: "busybox",
  debianKernelPackage: null,
};

/** Debian 12.8 with the bookworm kernel of November 2024. */
export const DEBIAN_12: FirmwareRelease = {
  distribution: "Debian GNU/Linux",
  version: "12",
  revision: null,
  kernel: "6.1.0-28-amd64",
  buildDate: Date.UTC(2024, 10, 22) / 1000,
  announcesBuildDate: false,
  taints: "",
  debianKernelPackage: "6.1.119-1 (2024-11-22)",
};

/** Debian's point release, /etc/debian_version. */
export const DEBIAN_POINT_RELEASE = "12.8";

/** Most of a fleet runs the current release; the rest has not been upgraded yet. `key` is a per-gateway hash. */
export function firmwareFor(flavour: GatewayFlavour, key: number): FirmwareRelease {
  if (flavour === "debian") return DEBIAN_12;
  return key % 5 < 3 ? OPENWRT_24_10_5 : OPENWRT_23_05_5;
}

/** `uname -v`: OpenWrt stamps "#0 [SMP] <date(1) of the build, UTC>"; Debian names its kernel package. */
export function unameVersion(hardware: RouterHardware, firmware: FirmwareRelease): string {
  if (firmware.debianKernelPackage) return `#1 SMP PREEMPT_DYNAMIC Debian ${firmware.debianKernelPackage}`;
  const d = new Date(firmware.buildDate * 1000);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
    d.getUTCMonth()
  ];
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const date = `${day} ${month} ${String(d.getUTCDate()).padStart(2, " ")} ${time} ${d.getUTCFullYear()}`;
  return `#0 ${hardware.smp ? "SMP " : ""}${date}`;
}
