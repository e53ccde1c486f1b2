/** The router simulator's programmatic API (see simulator/README.md). */
export { BANDS, type Band, DEVICE_KINDS, type DeviceKind } from "./catalog.js";
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
