/**
 * What classifying one device costs: the rules are compiled once, then each device's signals are
 * matched against every rule. Run over a mix of real fingerprints (known and unknown devices);
 * prints µs per device. The agent classifies each device once per lease change, so anything
 * under ~100 µs is irrelevant next to reading the lease file.
 *
 *   npm run build && node dist/bench/classifier.js [--devices N]
 */
import { classifyDevice } from "../agent/insight/classifyDevice.js";
import { type DeviceSignals, defaultDeviceRules } from "../agent/insight/deviceRules.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} takes a whole number, got ${process.argv[i + 1]}`);
  return value;
}

const SAMPLES: DeviceSignals[] = [
  { mac: "da:a1:19:6b:3c:0e", hostname: "Annas-iPhone", requestedOptions: "1,121,3,6,15,108,114,119,252" },
  {
    mac: "a2:c4:5e:19:73:0b",
    hostname: "Galaxy-S23",
    vendorClass: "android-dhcp-14",
    requestedOptions: [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108],
  },
  {
    mac: "94:b8:6d:10:20:30",
    hostname: "LAPTOP-8K2M4N7Q",
    vendorClass: "MSFT 5.0",
    vendor: "Intel Corporate",
  },
  {
    mac: "24:a1:60:1a:2b:3c",
    hostname: "ESP_1A2B3C",
    requestedOptions: "1,3,28,6",
    vendor: "Espressif Inc.",
  },
  { mac: "a8:23:fe:01:02:03", hostname: "LGwebOSTV", vendorClass: "udhcp 1.29.3", vendor: "LG Innotek" },
  { mac: "44:65:0d:ab:cd:ef", hostname: "amazon-2f3e4d5c6", vendor: "Amazon Technologies Inc." },
  { mac: "00:80:92:7a:fb:ce", hostname: "BRW0080927AFBCE", vendor: "Brother Industries, LTD." },
  { mac: "00:11:22:33:44:55" },
];

function main(): void {
  const devices = arg("devices", 200_000);
  const compileStart = process.hrtime.bigint();
  const rules = defaultDeviceRules();
  const compileUs = Number(process.hrtime.bigint() - compileStart) / 1000;
  // Warm up the JIT so the figure is the steady state an agent sees.
  for (let i = 0; i < 20_000; i++) classifyDevice(SAMPLES[i % SAMPLES.length] as DeviceSignals, rules);
  let known = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < devices; i++) {
    if (classifyDevice(SAMPLES[i % SAMPLES.length] as DeviceSignals, rules).deviceType !== "unknown") known++;
  }
  const totalUs = Number(process.hrtime.bigint() - start) / 1000;
  console.log(
    `rules: ${rules.rules.length} (version ${rules.version}), compiled in ${compileUs.toFixed(0)} µs`,
  );
  console.log(`classified ${devices} devices (${known} known) in ${(totalUs / 1000).toFixed(1)} ms`);
  console.log(`per device: ${(totalUs / devices).toFixed(2)} µs`);
}

main();
