/**
 * The kinds of devices a home network holds, with vendor OUIs, the hostnames and DHCP client ids
 * those devices really send, and how they come and go. Phones and tablets use a randomised,
 * locally administered MAC per network (a few rotate it on every join); IoT devices send no
 * client id; Linux machines with systemd-networkd send an RFC 4361 client id (`ff` + IAID + DUID).
 */
import { hexColon, type Prng } from "./prng.js";

export const DEVICE_KINDS = [
  "phone",
  "tablet",
  "laptop",
  "desktop",
  "tv",
  "console",
  "speaker",
  "iot",
  "printer",
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Where a device connects: one of the two radios or the LAN switch. */
export const BANDS = ["2.4ghz", "5ghz", "ethernet"] as const;
export type Band = (typeof BANDS)[number];

export type ClientIdStyle = "mac" | "none" | "duid";
export type MacPolicy = "vendor" | "random-per-network" | "random-per-join";
/** How a device's presence changes when nothing is scripted. */
export type Presence = "always" | "mobile" | "session";

export interface DeviceProfile {
  kind: DeviceKind;
  vendor: string;
  mac: string;
  macPolicy: MacPolicy;
  hostname: string | null;
  clientIdStyle: ClientIdStyle;
  /** RFC 4361 client id for `duid` style; other styles derive theirs from the MAC. */
  duidClientId: string | null;
  vendorClass: string | null;
  /** Preferred attachment; Wi-Fi devices that support 5 GHz may roam to 2.4 GHz and back. */
  homeBand: Band;
  dualBand: boolean;
  presence: Presence;
  /** Probability of sending DHCPRELEASE when leaving (most phones just vanish). */
  releaseProbability: number;
  /** Signal at the device's usual spot, dBm on 5 GHz (2.4 GHz is about 6 dB stronger). */
  baseSignalDbm: number;
  /** Wi-Fi generation used for bitrate strings. */
  phy: "ht" | "vht" | "he";
  /** Spatial streams. */
  nss: 1 | 2;
}

interface VendorSpec {
  vendor: string;
  ouis: readonly string[];
  hostname: (prng: Prng, owner: string) => string | null;
  vendorClass?: string | null;
}

const OWNERS = [
  "Alice",
  "Bob",
  "Emma",
  "Liam",
  "Olivia",
  "Noah",
  "Mia",
  "Lucas",
  "Sofia",
  "Jonas",
  "Ava",
  "Leo",
];

const APPLE = ["f0:18:98", "a4:83:e7", "3c:22:fb", "88:66:5a", "ac:bc:32", "bc:d0:74"];
const SAMSUNG = ["8c:77:12", "00:16:32", "e8:50:8b"];
const GOOGLE = ["3c:5a:b4", "f4:f5:d8", "54:60:09", "f8:8f:ca"];
const INTEL = ["00:1b:21", "3c:a9:f4", "a0:a8:cd", "f8:94:c2", "8c:8d:28"];
const DELL = ["f8:bc:12", "b8:2a:72", "18:db:f2"];
const RASPBERRY = ["b8:27:eb", "dc:a6:32", "e4:5f:01", "d8:3a:dd"];
const ESPRESSIF = ["24:0a:c4", "30:ae:a4", "a4:cf:12", "84:cc:a8", "ec:fa:bc"];
const AMAZON = ["f0:27:2d", "fc:65:de", "44:65:0d", "74:c2:46"];
const SONOS = ["b8:e9:37", "00:0e:58", "94:9f:3e", "48:a6:b8"];
const ROKU = ["b0:a7:37", "d8:31:34", "dc:3a:5e"];
const LG = ["a8:23:fe", "c8:08:e9"];
const NINTENDO = ["98:b6:e9", "7c:bb:8a"];
const SONY_IE = ["00:04:1f", "00:d9:d1"];
const HP = ["3c:d9:2b", "a0:d3:c1"];
const TPLINK = ["50:c7:bf", "b0:95:75", "1c:3b:f3"];
const SIGNIFY = ["00:17:88"];
const REALTEK = ["00:e0:4c"];

const upperAlnum = (prng: Prng, n: number): string => {
  const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  let s = "";
  for (let i = 0; i < n; i++) s += chars[prng.int(0, chars.length - 1)];
  return s;
};
const hex = (prng: Prng, n: number): string => hexColon(prng.bytes(n)).replaceAll(":", "");

const PHONES: readonly VendorSpec[] = [
  { vendor: "Apple", ouis: APPLE, hostname: (p, o) => (p.chance(0.6) ? `${o}s-iPhone` : "iPhone") },
  {
    vendor: "Samsung",
    ouis: SAMSUNG,
    hostname: (p) => p.pick(["Galaxy-S23", "Galaxy-S24", "Galaxy-A54", "Galaxy-A15"]),
    vendorClass: "android-dhcp-14",
  },
  {
    vendor: "Google",
    ouis: GOOGLE,
    hostname: (p) => p.pick(["Pixel-8", "Pixel-7a", "Pixel-9-Pro"]),
    vendorClass: "android-dhcp-15",
  },
  {
    vendor: "Android",
    ouis: SAMSUNG,
    // Android 8 and older named themselves after their Android id.
    hostname: (p) => (p.chance(0.5) ? `android-${hex(p, 8)}` : null),
    vendorClass: "android-dhcp-8.1.0",
  },
];
const TABLETS: readonly VendorSpec[] = [
  { vendor: "Apple", ouis: APPLE, hostname: (_p, o) => `${o}s-iPad` },
  {
    vendor: "Samsung",
    ouis: SAMSUNG,
    hostname: (p) => p.pick(["Galaxy-Tab-S9", "Galaxy-Tab-A8"]),
    vendorClass: "android-dhcp-14",
  },
];
const LAPTOPS: readonly VendorSpec[] = [
  {
    vendor: "Apple",
    ouis: APPLE,
    hostname: (p, o) => p.pick([`${o}s-MacBook-Pro`, `${o}s-MBP`, `${o}s-Air`]),
  },
  {
    vendor: "Intel",
    ouis: INTEL,
    hostname: (p) => (p.chance(0.5) ? `LAPTOP-${upperAlnum(p, 8)}` : `DESKTOP-${upperAlnum(p, 7)}`),
    vendorClass: "MSFT 5.0",
  },
  { vendor: "Dell", ouis: DELL, hostname: (p) => `DESKTOP-${upperAlnum(p, 7)}`, vendorClass: "MSFT 5.0" },
];
const DESKTOPS: readonly VendorSpec[] = [
  { vendor: "Dell", ouis: DELL, hostname: (p) => `DESKTOP-${upperAlnum(p, 7)}`, vendorClass: "MSFT 5.0" },
  { vendor: "Realtek", ouis: REALTEK, hostname: (p) => p.pick(["fedora", "debian", "archlinux", "nas"]) },
  {
    vendor: "Raspberry Pi",
    ouis: RASPBERRY,
    hostname: (p) => p.pick(["raspberrypi", "pihole", "homeassistant"]),
  },
];
const TVS: readonly VendorSpec[] = [
  { vendor: "Samsung", ouis: SAMSUNG, hostname: () => "Samsung" },
  { vendor: "LG", ouis: LG, hostname: () => "LGwebOSTV" },
  {
    vendor: "Roku",
    ouis: ROKU,
    hostname: (p) => p.pick(["Roku-Ultra", "Roku-Express", "Roku-Streaming-Stick"]),
  },
  { vendor: "Google", ouis: GOOGLE, hostname: (p) => `Chromecast-${hex(p, 2)}` },
  { vendor: "Apple", ouis: APPLE, hostname: () => "Apple-TV" },
];
const CONSOLES: readonly VendorSpec[] = [
  { vendor: "Nintendo", ouis: NINTENDO, hostname: () => null },
  { vendor: "Sony", ouis: SONY_IE, hostname: () => "PS5-123" },
];
const SPEAKERS: readonly VendorSpec[] = [
  { vendor: "Sonos", ouis: SONOS, hostname: (p) => `SonosZP${hex(p, 1)}` },
  { vendor: "Amazon", ouis: AMAZON, hostname: (p) => `amazon-${hex(p, 4)}` },
  { vendor: "Google", ouis: GOOGLE, hostname: (p) => `Google-Home-${hex(p, 2)}` },
];
const IOT: readonly VendorSpec[] = [
  { vendor: "Espressif", ouis: ESPRESSIF, hostname: (p) => `ESP_${hex(p, 3).toUpperCase()}` },
  { vendor: "Espressif", ouis: ESPRESSIF, hostname: (p) => `shelly1pm-${hex(p, 6).toUpperCase()}` },
  { vendor: "TP-Link", ouis: TPLINK, hostname: () => "HS110" },
  { vendor: "Signify", ouis: SIGNIFY, hostname: () => "Philips-hue" },
  { vendor: "Espressif", ouis: ESPRESSIF, hostname: () => null },
];
const PRINTERS: readonly VendorSpec[] = [
  { vendor: "HP", ouis: HP, hostname: (p) => `HP${hex(p, 3).toUpperCase()}` },
];

const KIND_WEIGHTS: readonly [DeviceKind, number][] = [
  ["phone", 30],
  ["tablet", 8],
  ["laptop", 18],
  ["desktop", 5],
  ["tv", 9],
  ["console", 4],
  ["speaker", 8],
  ["iot", 15],
  ["printer", 3],
];

const VENDORS: Record<DeviceKind, readonly VendorSpec[]> = {
  phone: PHONES,
  tablet: TABLETS,
  laptop: LAPTOPS,
  desktop: DESKTOPS,
  tv: TVS,
  console: CONSOLES,
  speaker: SPEAKERS,
  iot: IOT,
  printer: PRINTERS,
};

export function pickKind(prng: Prng): DeviceKind {
  const total = KIND_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let r = prng.next() * total;
  for (const [kind, w] of KIND_WEIGHTS) {
    r -= w;
    if (r < 0) return kind;
  }
  return "phone";
}

/** A vendor-assigned MAC: the OUI plus three random octets. */
function vendorMac(prng: Prng, ouis: readonly string[]): string {
  return `${prng.pick(ouis)}:${hexColon(prng.bytes(3))}`;
}

/** A randomised MAC as phones use: locally administered bit set, multicast bit clear. */
export function randomMac(prng: Prng): string {
  const b = prng.bytes(6);
  b[0] = ((b[0] ?? 0) & 0xfc) | 0x02;
  return hexColon(b);
}

export function generateProfile(prng: Prng, kind: DeviceKind = pickKind(prng)): DeviceProfile {
  const spec = prng.pick(VENDORS[kind]);
  const owner = prng.pick(OWNERS);
  const mobile = kind === "phone" || kind === "tablet";
  let macPolicy: MacPolicy = "vendor";
  if (mobile)
    macPolicy = prng.chance(0.1) ? "random-per-join" : prng.chance(0.85) ? "random-per-network" : "vendor";
  const mac = macPolicy === "vendor" ? vendorMac(prng, spec.ouis) : randomMac(prng);
  const linux = spec.vendor === "Realtek" || spec.vendor === "Raspberry Pi";
  const clientIdStyle: ClientIdStyle =
    kind === "iot" || kind === "printer" ? "none" : linux ? (prng.chance(0.5) ? "duid" : "none") : "mac";
  const wiredChance: Record<DeviceKind, number> = {
    phone: 0,
    tablet: 0,
    laptop: 0.1,
    desktop: 0.8,
    tv: 0.4,
    console: 0.5,
    speaker: 0.2,
    iot: 0,
    printer: 0.3,
  };
  const wired = prng.chance(wiredChance[kind]);
  const dualBand = !wired && kind !== "iot" && !(kind === "speaker" && prng.chance(0.5));
  const homeBand: Band = wired ? "ethernet" : dualBand && prng.chance(0.8) ? "5ghz" : "2.4ghz";
  const presence: Presence =
    mobile || kind === "laptop" ? "mobile" : kind === "tv" || kind === "console" ? "session" : "always";
  return {
    kind,
    vendor: spec.vendor,
    mac,
    macPolicy,
    hostname: spec.hostname(prng, owner),
    clientIdStyle,
    duidClientId: clientIdStyle === "duid" ? duidClientId(prng) : null,
    vendorClass: spec.vendorClass ?? null,
    homeBand,
    dualBand,
    presence,
    releaseProbability: kind === "laptop" || kind === "desktop" ? 0.4 : mobile ? 0.15 : 0.05,
    baseSignalDbm: prng.int(-75, -45),
    phy: kind === "iot" ? "ht" : prng.chance(0.5) ? "he" : "vht",
    nss: kind === "iot" || kind === "speaker" ? 1 : 2,
  };
}

/** RFC 4361 client id as systemd-networkd sends it: `ff`, a 4-octet IAID, then a DUID-EN. */
function duidClientId(prng: Prng): string {
  return hexColon([0xff, ...prng.bytes(4), 0x00, 0x02, 0x00, 0x00, 0xab, 0x11, ...prng.bytes(8)]);
}

/** The DHCP client id a device sends for a given MAC, as dnsmasq prints it (lower-case hex pairs). */
export function clientIdFor(profile: DeviceProfile, mac: string): string | null {
  if (profile.clientIdStyle === "mac") return `01:${mac}`;
  if (profile.clientIdStyle === "duid") return profile.duidClientId;
  return null;
}
