/**
 * The router itself: an OpenWrt-style layout with loopback, a LAN port (eth0) and the two radios
 * (named as the flavour names them, flavour.ts) bridged into br-lan, and a WAN port (eth1); router
 * MACs from the model's maker's OUI (routerModels.ts), radios on locally administered variants as
 * most targets derive them; channels, SSID (the maker's default name or the ISP's) and noise per
 * gateway.
 */
import { Counter } from "./counter.js";
import type { FlavourTools } from "./flavour.js";
import { hexColon, type Prng } from "./prng.js";
import { type RouterHardware, routerHardwareFor } from "./routerModels.js";
import type { InterfaceKind, SimInterface, SimRadio } from "./types.js";

const CHANNELS_24 = [1, 6, 11];
/** 5 GHz primary channel and the centre of its 80 MHz block. */
const CHANNELS_5: [number, number][] = [
  [36, 5210],
  [44, 5210],
  [100, 5530],
  [149, 5775],
];

/** The gateway's own traffic per interface (DNS, NTP, mDNS, beacons), B/s in and out. */
type Background = [number, number];

export function buildHardware(
  prng: Prng,
  wrap32: ReadonlySet<string>,
  tools: FlavourTools,
): { interfaces: SimInterface[]; radios: SimRadio[]; hardware: RouterHardware } {
  const hardware = prng.pick(routerHardwareFor(tools.flavour));
  const wifi = tools.wifiInterfaces;
  const base = hardware.oui;
  const tail = prng.bytes(3);
  const withOffset = (oui: string, n: number): string => {
    const b = [...tail];
    b[2] = ((b[2] ?? 0) + n) & 0xff;
    return `${oui}:${hexColon(b)}`;
  };
  const localOui = `${(Number.parseInt(base.slice(0, 2), 16) | 0x02).toString(16).padStart(2, "0")}${base.slice(2)}`;
  const specs: [string, InterfaceKind, string, number | null, number, number, Background][] = [
    ["lo", "loopback", "00:00:00:00:00:00", null, 65536, 0, [180, 180]],
    ["eth0", "ethernet", withOffset(base, 0), 1, 1500, 1000, [40, 120]],
    ["eth1", "ethernet", withOffset(base, 1), null, 1500, 1000, [2_400, 900]],
    ["br-lan", "bridge", withOffset(base, 0), null, 1500, 0, [300, 600]],
    [wifi["2.4ghz"], "wifi", withOffset(localOui, 2), 2, 1500, 0, [60, 500]],
    [wifi["5ghz"], "wifi", withOffset(localOui, 3), 3, 1500, 0, [40, 400]],
  ];
  const interfaces = specs.map(
    ([name, kind, mac, bridgePort, mtu, speedMbps, background], i): SimInterface => ({
      name,
      ifindex: i + 1,
      mac,
      kind,
      bridgePort,
      mtu,
      speedMbps,
      wrap32: wrap32.has(name),
      rxBytes: new Counter(),
      txBytes: new Counter(),
      rxPackets: new Counter(),
      txPackets: new Counter(),
      background,
    }),
  );
  const ssid = `${prng.pick(hardware.ssidPrefixes)}${hexColon(prng.bytes(2)).replace(":", "").toUpperCase()}`;
  const ch24 = prng.pick(CHANNELS_24);
  const [ch5, center5] = prng.pick(CHANNELS_5);
  const radios: SimRadio[] = [
    {
      iface: wifi["2.4ghz"],
      phy: 0,
      band: "2.4ghz",
      ssid,
      channel: ch24,
      frequencyMhz: 2407 + 5 * ch24,
      widthMhz: 20,
      center1Mhz: 2407 + 5 * ch24,
      txPowerDbm: 20,
      noiseDbm: prng.int(-95, -88),
      interference: 0.1 + prng.next() * 0.3,
      upAt: 0,
    },
    {
      iface: wifi["5ghz"],
      phy: 1,
      band: "5ghz",
      ssid,
      channel: ch5,
      frequencyMhz: 5000 + 5 * ch5,
      widthMhz: 80,
      center1Mhz: center5,
      txPowerDbm: 23,
      noiseDbm: prng.int(-98, -91),
      interference: 0.02 + prng.next() * 0.1,
      upAt: 0,
    },
  ];
  return { interfaces, radios, hardware };
}
