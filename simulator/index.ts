/** The router simulator's programmatic API (see simulator/README.md). */
export { BANDS, type Band, DEVICE_KINDS, type DeviceKind } from "./catalog.js";
export { type FleetOptions, gatewayIdFor, SimulatedFleet } from "./fleet.js";
export { LEASE_FILE_PATHS, SimulatedGateway, type SimulatedGatewayOptions } from "./gateway.js";
export {
  DEFAULT_DHCP_LIMIT,
  DEFAULT_DHCP_START,
  DEFAULT_LAN_PREFIX,
  dhcpPoolProblem,
  Lan,
  lanForDevices,
  lanPrefixProblem,
  lastHostOf,
  MIN_DHCP_START,
  MIN_LAN_PREFIX,
} from "./lan.js";
export type {
  GatewayModelOptions,
  ServerLease,
  SimDevice,
  SimEvent,
  SimEventType,
  SimInterface,
  SimRadio,
} from "./model.js";
export { GatewayModel } from "./model.js";
export {
  LEASE_FORMATS,
  type LeaseFormat,
  loadScenario,
  parseScenario,
  type Scenario,
  type ScenarioEntry,
  ScenarioError,
} from "./scenario.js";
export type { SnmpAgentOptions } from "./snmpAgent.js";
export type { FdbEntry, NeighborEntry } from "./views.js";
