import { describe, expect, it } from "vitest";
import { classifyDevice } from "./classifyDevice.js";
import { compileDeviceRules, type DeviceSignals, type DeviceType } from "./deviceRules.js";

// Option-55 lists as real clients send them (order matters: it is the client's own).
const IOS = "1,121,3,6,15,119,252";
const IOS17 = "1,121,3,6,15,108,114,119,252";
const MACOS14 = "1,121,3,6,15,108,114,119,252,95,44,46";
const WINDOWS = "1,3,6,15,31,33,43,44,46,47,119,121,249,252";
const ANDROID = "1,3,6,15,26,28,51,58,59,43";
const ANDROID13 = "1,3,6,15,26,28,51,58,59,43,114,108";
const DHCLIENT = "1,28,2,3,15,6,119,12,44,47,26,121,42";
const UDHCPC = "1,3,6,12,15,28,42";
const LWIP = "1,3,28,6";

interface Case extends DeviceSignals {
  name: string;
  expect: DeviceType;
}

const devices: Case[] = [
  {
    name: "iPhone 15, private address",
    mac: "da:a1:19:6b:3c:0e",
    hostname: "Annas-iPhone",
    requestedOptions: IOS17,
    expect: "phone",
  },
  {
    name: "iPhone with default name",
    mac: "f4:f5:d8:11:22:33",
    hostname: "iPhone",
    requestedOptions: IOS,
    vendor: "Apple, Inc.",
    expect: "phone",
  },
  {
    name: "iPad, iPadOS 17 (macOS-like list)",
    mac: "0e:47:eb:9f:1b:6a",
    hostname: "iPad",
    requestedOptions: MACOS14,
    expect: "tablet",
  },
  {
    name: "iPad, iOS list",
    mac: "3a:10:9c:55:7d:21",
    hostname: "Living-Room-iPad",
    requestedOptions: IOS17,
    expect: "tablet",
  },
  {
    name: "MacBook Pro",
    mac: "34:66:91:12:ab:cd",
    hostname: "Annas-MacBook-Pro",
    requestedOptions: MACOS14,
    vendor: "Apple, Inc.",
    expect: "computer",
  },
  {
    name: "Mac mini, macOS 15 private address",
    mac: "5e:e8:21:04:9b:77",
    hostname: "Mac-mini",
    requestedOptions: MACOS14,
    expect: "computer",
  },
  {
    name: "Apple Watch",
    mac: "ae:3b:71:20:5c:99",
    hostname: "Annas-Apple-Watch",
    requestedOptions: IOS17,
    expect: "wearable",
  },
  {
    name: "Apple TV",
    mac: "34:66:91:aa:bb:01",
    hostname: "Apple-TV",
    requestedOptions: IOS,
    vendor: "Apple, Inc.",
    expect: "streaming",
  },
  {
    name: "HomePod mini",
    mac: "34:66:91:aa:bb:02",
    hostname: "Kitchen-HomePod",
    requestedOptions: IOS,
    vendor: "Apple, Inc.",
    expect: "speaker",
  },
  {
    name: "Galaxy S23, Android 14",
    mac: "a2:c4:5e:19:73:0b",
    hostname: "Galaxy-S23",
    vendorClass: "android-dhcp-14",
    requestedOptions: ANDROID13,
    expect: "phone",
  },
  {
    name: "Pixel 8",
    mac: "c6:8f:02:3d:e1:44",
    hostname: "Pixel-8",
    vendorClass: "android-dhcp-15",
    requestedOptions: ANDROID13,
    expect: "phone",
  },
  {
    name: "Android 8.1 handset",
    mac: "50:8f:4c:12:34:56",
    hostname: "android-3a2b1c0d9e8f7a6b",
    vendorClass: "android-dhcp-8.1.0",
    requestedOptions: ANDROID,
    vendor: "Xiaomi Communications Co Ltd",
    expect: "phone",
  },
  {
    name: "Android phone without a hostname",
    mac: "9e:21:54:aa:0c:13",
    vendorClass: "android-dhcp-13",
    requestedOptions: ANDROID13,
    expect: "phone",
  },
  {
    name: "Redmi phone",
    mac: "f0:b4:29:01:02:03",
    hostname: "Redmi-Note-12",
    vendorClass: "android-dhcp-13",
    requestedOptions: ANDROID13,
    vendor: "Xiaomi Communications Co Ltd",
    expect: "phone",
  },
  {
    name: "Galaxy Tab S9",
    mac: "b6:0d:8e:44:21:7a",
    hostname: "Galaxy-Tab-S9",
    vendorClass: "android-dhcp-14",
    requestedOptions: ANDROID13,
    expect: "tablet",
  },
  {
    name: "Galaxy Watch5",
    mac: "62:1f:aa:03:9c:51",
    hostname: "Galaxy-Watch5",
    vendorClass: "android-dhcp-13",
    requestedOptions: ANDROID13,
    expect: "wearable",
  },
  {
    name: "Windows 11 laptop",
    mac: "94:b8:6d:10:20:30",
    hostname: "LAPTOP-8K2M4N7Q",
    vendorClass: "MSFT 5.0",
    requestedOptions: WINDOWS,
    vendor: "Intel Corporate",
    expect: "computer",
  },
  {
    name: "Windows desktop, random hardware address",
    mac: "2e:41:8a:7f:00:12",
    hostname: "DESKTOP-3FJ2K9L",
    vendorClass: "MSFT 5.0",
    requestedOptions: WINDOWS,
    expect: "computer",
  },
  {
    name: "Windows PC with a custom name",
    mac: "00:1d:d8:44:55:66",
    hostname: "family-pc",
    vendorClass: "MSFT 5.0",
    requestedOptions: WINDOWS,
    expect: "computer",
  },
  {
    name: "Fedora laptop (dhclient)",
    mac: "3c:22:fb:8e:41:07",
    hostname: "fedora",
    requestedOptions: DHCLIENT,
    expect: "computer",
  },
  {
    name: "Raspberry Pi 4",
    mac: "dc:a6:32:5b:0e:11",
    hostname: "raspberrypi",
    vendorClass: "dhcpcd-9.4.1:Linux-6.1.21-v8+:aarch64:BCM2835",
    vendor: "Raspberry Pi Trading Ltd",
    expect: "computer",
  },
  {
    name: "QEMU guest (52:54:00 is locally administered)",
    mac: "52:54:00:12:34:56",
    hostname: "ubuntu-server",
    requestedOptions: DHCLIENT,
    expect: "computer",
  },
  {
    name: "Chromecast with Google TV",
    mac: "f4:f5:d8:aa:00:01",
    hostname: "Chromecast",
    vendorClass: "android-dhcp-12",
    requestedOptions: ANDROID,
    vendor: "Google, Inc.",
    expect: "streaming",
  },
  {
    name: "Google Nest Mini",
    mac: "7c:2e:bd:31:42:53",
    hostname: "Google-Nest-Mini",
    vendor: "Google, Inc.",
    expect: "speaker",
  },
  {
    name: "LG webOS TV",
    mac: "a8:23:fe:01:02:03",
    hostname: "LGwebOSTV",
    vendorClass: "udhcp 1.29.3",
    requestedOptions: UDHCPC,
    vendor: "LG Innotek",
    expect: "tv",
  },
  {
    name: "Samsung Tizen TV",
    mac: "8c:79:f5:10:20:30",
    hostname: "Samsung",
    vendorClass: "udhcp 1.30.1",
    vendor: "Samsung Electronics Co.,Ltd",
    expect: "tv",
  },
  {
    name: "Sony Bravia (Android TV)",
    mac: "ac:9b:0a:12:34:56",
    hostname: "BRAVIA-4K-VH2",
    vendorClass: "android-dhcp-10",
    requestedOptions: ANDROID,
    expect: "tv",
  },
  {
    name: "Roku Express",
    mac: "d8:31:34:aa:bb:cc",
    hostname: "Roku-Express",
    vendor: "Roku, Inc",
    expect: "streaming",
  },
  {
    name: "Sonos One",
    mac: "48:a6:b8:12:34:56",
    hostname: "SonosZP",
    vendor: "Sonos, Inc.",
    expect: "speaker",
  },
  {
    name: "PlayStation 5",
    mac: "00:d9:d1:12:34:56",
    hostname: "PS5-123",
    vendor: "Sony Interactive Entertainment Inc.",
    expect: "console",
  },
  {
    name: "Xbox Series X (Windows-based DHCP client)",
    mac: "7c:ed:8d:01:02:03",
    hostname: "XboxOne",
    vendorClass: "MSFT 5.0",
    vendor: "Microsoft Corporation",
    expect: "console",
  },
  {
    name: "Nintendo Switch, no hostname",
    mac: "98:b6:e9:12:34:56",
    vendor: "Nintendo Co.,Ltd",
    expect: "console",
  },
  {
    name: "HP printer",
    mac: "3c:52:82:4a:2b:3c",
    hostname: "HP4A2B3C",
    vendorClass: "Hewlett-Packard JetDirect",
    vendor: "HP Inc.",
    expect: "printer",
  },
  {
    name: "Brother printer",
    mac: "00:80:92:7a:fb:ce",
    hostname: "BRW0080927AFBCE",
    vendor: "Brother Industries, LTD.",
    expect: "printer",
  },
  {
    name: "Epson printer",
    mac: "64:eb:8c:1a:2b:3c",
    hostname: "EPSON1A2B3C",
    vendor: "Seiko Epson Corporation",
    expect: "printer",
  },
  {
    name: "ESP8266 sensor",
    mac: "24:a1:60:1a:2b:3c",
    hostname: "ESP_1A2B3C",
    requestedOptions: LWIP,
    vendor: "Espressif Inc.",
    expect: "iot",
  },
  {
    name: "Shelly Plus 1PM",
    mac: "a8:03:2a:b1:23:45",
    hostname: "shellyplus1pm-a8032ab12345",
    requestedOptions: LWIP,
    vendor: "Espressif Inc.",
    expect: "iot",
  },
  {
    name: "Tasmota plug",
    mac: "ec:fa:bc:1a:2b:3c",
    hostname: "tasmota-1A2B3C-4567",
    requestedOptions: LWIP,
    vendor: "Espressif Inc.",
    expect: "iot",
  },
  {
    name: "Espressif module without a name",
    mac: "ec:fa:bc:00:11:22",
    requestedOptions: LWIP,
    vendor: "Espressif Inc.",
    expect: "iot",
  },
  {
    name: "Philips Hue bridge",
    mac: "00:17:88:12:34:56",
    hostname: "Philips-hue",
    vendorClass: "udhcp 1.22.1",
    vendor: "Philips Lighting BV",
    expect: "iot",
  },
  {
    name: "TP-Link Kasa plug",
    mac: "b0:be:76:12:34:56",
    hostname: "HS110",
    vendor: "TP-LINK TECHNOLOGIES CO.,LTD.",
    expect: "iot",
  },
  {
    name: "Tuya bulb",
    mac: "d8:1f:12:34:56:78",
    hostname: "wlan0",
    vendorClass: "udhcp 1.28.4",
    vendor: "Tuya Smart Inc.",
    expect: "iot",
  },
  {
    name: "Roomba",
    mac: "50:14:79:12:34:56",
    hostname: "iRobot-4B2E8C1F",
    vendor: "iRobot Corporation",
    expect: "iot",
  },
  {
    name: "Hikvision camera",
    mac: "c0:56:e3:12:34:56",
    vendorClass: "udhcp 1.20.2",
    vendor: "Hangzhou Hikvision Digital Technology Co.,Ltd.",
    expect: "camera",
  },
  {
    name: "Wyze camera",
    mac: "2c:aa:8e:12:34:56",
    hostname: "WYZEC2",
    vendor: "Wyze Labs Inc",
    expect: "camera",
  },
  { name: "Garmin watch", mac: "c8:3e:99:12:34:56", vendor: "Garmin International", expect: "wearable" },
  {
    name: "UniFi access point",
    mac: "74:83:c2:12:34:56",
    hostname: "U6-Lite",
    vendorClass: "ubnt",
    vendor: "Ubiquiti Inc",
    expect: "network",
  },
  {
    name: "OpenWrt repeater",
    mac: "98:da:c4:12:34:56",
    hostname: "OpenWrt",
    vendorClass: "udhcp 1.36.1",
    requestedOptions: UDHCPC,
    vendor: "TP-LINK TECHNOLOGIES CO.,LTD.",
    expect: "network",
  },
  {
    name: "Kindle",
    mac: "44:65:0d:12:34:56",
    hostname: "kindle-8e4f2a1b",
    vendor: "Amazon Technologies Inc.",
    expect: "tablet",
  },
  // Not enough to say: these must stay unknown rather than be guessed.
  {
    name: "Echo (Amazon makes speakers, TVs, tablets, cameras)",
    mac: "44:65:0d:ab:cd:ef",
    hostname: "amazon-2f3e4d5c6",
    vendor: "Amazon Technologies Inc.",
    expect: "unknown",
  },
  { name: "random MAC and nothing else", mac: "da:a1:19:00:00:01", expect: "unknown" },
  {
    name: "BusyBox client and nothing else",
    mac: "00:11:22:33:44:55",
    vendorClass: "udhcp 1.36.1",
    requestedOptions: UDHCPC,
    expect: "unknown",
  },
  {
    name: "Samsung handset OUI alone (phones, TVs, fridges)",
    mac: "8c:79:f5:00:00:01",
    vendor: "Samsung Electronics Co.,Ltd",
    expect: "unknown",
  },
  { name: "no signals at all", expect: "unknown" },
];

describe("classifyDevice on real fingerprints", () => {
  it("covers at least 30 devices", () => {
    expect(devices.length).toBeGreaterThanOrEqual(30);
  });
  for (const { name, expect: expected, ...signals } of devices) {
    it(`${name} → ${expected}`, () => {
      const result = classifyDevice(signals);
      expect(result.deviceType).toBe(expected);
      if (expected === "unknown") expect(result.confidence).toBe(0);
      else expect(result.confidence).toBeGreaterThanOrEqual(0.35);
    });
  }
});

describe("classifyDevice", () => {
  it("reports the signals that decided and the ones that disagreed", () => {
    const result = classifyDevice({
      mac: "b6:0d:8e:44:21:7a",
      hostname: "Galaxy-Tab-S9",
      vendorClass: "android-dhcp-14",
      requestedOptions: "1,3,6,15,26,28,51,58,59,43,114,108",
    });
    expect(result).toEqual({
      deviceType: "tablet",
      confidence: 0.44,
      signals: [{ rule: "host-galaxy-tab", on: ["hostname"], deviceType: "tablet", weight: 0.85 }],
      conflicting: [
        { rule: "prl-android", on: ["prl"], deviceType: "phone", weight: 0.45 },
        { rule: "vc-android", on: ["vendorClass"], deviceType: "phone", weight: 0.45 },
        { rule: "randomized-mac", on: ["randomizedMac"], deviceType: "phone", weight: 0.3 },
      ],
      rulesVersion: 1,
    });
  });

  it("combines independent evidence for one type", () => {
    const one = classifyDevice({ vendor: "Espressif Inc." });
    const three = classifyDevice({
      vendor: "Espressif Inc.",
      hostname: "ESP_1A2B3C",
      requestedOptions: [1, 3, 28, 6],
    });
    expect(one).toMatchObject({ deviceType: "iot", confidence: 0.6 });
    expect(three.deviceType).toBe("iot");
    expect(three.confidence).toBe(0.97);
  });

  it("never calls a randomised MAC IoT, however IoT-like the rest looks", () => {
    const result = classifyDevice({
      mac: "da:a1:19:6b:3c:0e",
      hostname: "ESP_1A2B3C",
      vendor: "Espressif Inc.",
    });
    expect(result.deviceType).not.toBe("iot");
    expect(classifyDevice({ mac: "24:a1:60:6b:3c:0e", hostname: "ESP_1A2B3C" }).deviceType).toBe("iot");
  });

  it("takes the request list as numbers or as text with spaces", () => {
    expect(
      classifyDevice({ requestedOptions: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252] })
        .deviceType,
    ).toBe("computer");
    expect(
      classifyDevice({ requestedOptions: "1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252" })
        .deviceType,
    ).toBe("computer");
    expect(classifyDevice({ requestedOptions: "1,3,x" }).deviceType).toBe("unknown");
  });

  it("calls an exact tie unknown", () => {
    const rules = compileDeviceRules({
      version: 2,
      minConfidence: 0.1,
      rules: [
        {
          id: "a",
          match: { hostname: "x" },
          deviceType: "tv",
          weight: 0.6,
          test: { input: {}, expect: "unknown" },
        },
        {
          id: "b",
          match: { vendor: "y" },
          deviceType: "phone",
          weight: 0.6,
          test: { input: {}, expect: "unknown" },
        },
      ],
    });
    expect(classifyDevice({ hostname: "x", vendor: "y" }, rules)).toMatchObject({
      deviceType: "unknown",
      confidence: 0,
      rulesVersion: 2,
    });
    expect(classifyDevice({ hostname: "x" }, rules)).toMatchObject({ deviceType: "tv", confidence: 0.6 });
  });
});
