/**
 * The simulated household the agent benchmarks read: one seed, so every bench and every run
 * reads the same devices, and the whole /24 as DHCP pool (OpenWrt's default holds 150), so
 * that the devices present hold leases as the issues' "250 devices" means.
 */
import { type SimulatedGatewayOptions, WHOLE_LAN_POOL } from "../simulator/index.js";

export function benchHousehold(root: string, gatewayId: string, devices: number): SimulatedGatewayOptions {
  return { root, gatewayId, devices, seed: 7, ...WHOLE_LAN_POOL };
}
