/** The router simulator's programmatic API (see simulator/README.md). */
export { BANDS, type Band, DEVICE_KINDS, type DeviceKind } from "./catalog.js";
export {
  DEFAULT_DHCP_LIMIT,
  DEFAULT_DHCP_START,
  dhcpPoolProblem,
  MAX_DHCP_END,
  MIN_DHCP_START,
  WHOLE_LAN_POOL,
} from "./dhcpServer.js";
export { type FleetOptions, gatewayIdFor, SimulatedFleet } from "./fleet.js";
export { LEASE_FILE_PATHS, SimulatedGateway, type SimulatedGatewayOptions } from "./gateway.js";
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
