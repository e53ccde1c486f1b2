/**
 * The simulated household the agent benchmarks read: one seed, so every bench and every run
 * reads the same devices, and the smallest LAN that holds them all with the whole of it as DHCP
 * pool (simulator/lan.ts; OpenWrt's default pool holds 150), so that the devices present hold
 * leases, as the issues' "250 devices" means: a /24 for 250, a /21 for 2,000.
 */
import { lanForDevices, type SimulatedGatewayOptions } from "../simulator/index.js";

export function benchHousehold(root: string, gatewayId: string, devices: number): SimulatedGatewayOptions {
  return { root, gatewayId, devices, seed: 7, ...lanForDevices(devices) };
}
