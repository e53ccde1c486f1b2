/** Builders for valid protocol messages in tests. */
import { type Lease, PROTOCOL_VERSION, type Snapshot, type StateMessage } from "../protocol/index.js";

export function lease(overrides: Partial<Lease> = {}): Lease {
  return {
    mac: "d2:5f:3a:91:0c:7e",
    ip: "192.168.1.142",
    family: "ipv4",
    hostname: "Pixel-7",
    expiresAt: null,
    clientId: null,
    duid: null,
    iaid: null,
    source: "dnsmasq",
    ...overrides,
  };
}

export function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    v: PROTOCOL_VERSION,
    type: "snapshot",
    gatewayId: "gw-1",
    bootId: "boot-a",
    seq: 1,
    collectedAt: 1_700_000_000_000,
    uptimeSeconds: 100,
    leases: [],
    neighbors: [],
    interfaces: [],
    radios: [],
    stations: [],
    sources: [],
    ...overrides,
  };
}

export function state(overrides: Partial<StateMessage> = {}): StateMessage {
  return {
    v: PROTOCOL_VERSION,
    type: "state",
    gatewayId: "gw-1",
    bootId: "boot-a",
    seq: 0,
    collectedAt: 1_700_000_000_000,
    online: true,
    agentVersion: "0.1.0",
    ...overrides,
  };
}
