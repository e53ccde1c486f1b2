/** The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. */

import { DEVICE_TYPES } from "../../agent/insight/deviceRules.js";
import { LEASELINE_VERSION } from "../../common/version.js";
import { MAX_PAGE, SPEED_TESTS_SHOWN } from "../store/supportQueries.js";

const param = (
  name: string,
  where: "path" | "query",
  description: string,
  schema: object = { type: "string" },
) => ({
  name,
  in: where,
  required: where === "path",
  description,
  schema,
});
const gateway = param("gateway", "path", "gateway id");
const since = param("since", "query", "ISO-8601 time, or a duration back from now (90m, 1h, 2d)");
const limit = param("limit", "query", `rows at most (1-${MAX_PAGE}, default ${MAX_PAGE})`, {
  type: "integer",
  minimum: 1,
  maximum: MAX_PAGE,
});
const after = param("after", "query", "keyset page: the last key of the previous page");
const mac = param("mac", "query", "only this device (a MAC address)");
const errors = {
  "400": { description: "bad parameter; `{ error }` says which and what was expected" },
  "401": { description: "no valid bearer token" },
  "403": { description: "the token's role may not do this" },
  "404": { description: "no such gateway or resource" },
};
const op = (summary: string, parameters: object[], roles: string, schema?: object) => ({
  summary: `${summary} (role: ${roles})`,
  security: [{ bearer: [] }],
  parameters,
  responses: {
    "200": { description: "JSON", content: { "application/json": schema ? { schema } : {} } },
    ...errors,
  },
});

const nullable = (type: string, description?: string) => ({
  type: [type, "null"],
  ...(description ? { description } : {}),
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const strings = { type: "array", items: { type: "string" } };
const time = { type: "string", format: "date-time" };

/** Response schemas of the device and gateway answers (collector/store/supportQueries.ts). */
const schemas = {
  Device: {
    type: "object",
    description:
      "A device now. Traffic is from the device's point of view: download = received by the device.",
    properties: {
      mac: { type: "string" },
      vendor: nullable("string", "IEEE OUI registrant; null for a randomised MAC"),
      randomized: { type: "boolean" },
      deviceType: {
        type: "string",
        enum: [...DEVICE_TYPES],
        description: "unknown when the signals are too weak to say",
      },
      typeConfidence: { type: "number", minimum: 0, maximum: 1 },
      typeSignals: {
        type: "array",
        description: "the classifier rules that decided the type (for unknown: the weak ones that matched)",
        items: {
          type: "object",
          properties: { rule: { type: "string" }, on: strings, weight: { type: "number" } },
        },
      },
      vendorClass: nullable("string", "DHCP option 60 from the server's hook"),
      requestedOptions: nullable("string", "DHCP option 55, comma-separated in the client's order"),
      ip: nullable("string"),
      ips: strings,
      hostname: nullable("string"),
      hasLease: { type: "boolean" },
      expiresAt: { ...nullable("string"), format: "date-time" },
      present: { type: "boolean" },
      connection: { type: "string", enum: ["wifi", "wired", "unknown"] },
      interface: nullable("string"),
      band: nullable("string"),
      bridgePort: nullable("string"),
      signalDbm: nullable("number"),
      trafficSource: {
        ...nullable("string", "nlbwmon, conntrack or wifi-station (the access point's counters)"),
        enum: ["nlbwmon", "conntrack", "wifi-station", null],
      },
      downloadBytesPerSecond: nullable("number"),
      uploadBytesPerSecond: nullable("number"),
      downloadBytesThisLease: { type: "integer" },
      uploadBytesThisLease: { type: "integer" },
      downloadPacketsThisLease: { type: "integer" },
      uploadPacketsThisLease: { type: "integer" },
      firstSeen: time,
      updatedAt: time,
    },
  },
  Router: {
    type: "object",
    properties: {
      model: nullable("string"),
      board: nullable("string"),
      firmware: nullable("string"),
      kernel: nullable("string"),
      hostname: nullable("string"),
      wanInterface: nullable("string"),
      wanMac: nullable("string", "MAC address of the WAN interface"),
      wanIpv4: strings,
      wanIpv6: strings,
      load1: nullable("number"),
      memTotalBytes: nullable("integer"),
      memAvailableBytes: nullable("integer"),
      dhcpPools: {
        type: ["array", "null"],
        description: "the DHCP server's IPv4 pools; null where the agent could not read its configuration",
        items: {
          type: "object",
          properties: {
            name: nullable(
              "string",
              "dnsmasq's set: tag (OpenWrt's interface section), or the shared network",
            ),
            start: { type: "string", description: "first address" },
            end: { type: "string", description: "last address (included)" },
            size: { type: "integer" },
            leased: { type: "integer", description: "the gateway's current IPv4 leases inside the pool" },
            full: { type: "boolean", description: "no address left for a new device" },
          },
        },
      },
      updatedAt: time,
    },
  },
  LineQuality: {
    type: "object",
    description: "ping to one target over the agent's last cycle",
    properties: {
      target: { type: "string" },
      address: nullable("string"),
      sent: { type: "integer" },
      received: { type: "integer" },
      lossPercent: nullable("number"),
      rttMinMs: nullable("number"),
      rttAvgMs: nullable("number"),
      rttMaxMs: nullable("number"),
      jitterMs: nullable("number"),
      error: nullable("string"),
      updatedAt: time,
    },
  },
  SpeedTest: {
    type: "object",
    properties: {
      testId: { type: "string" },
      requestedAt: time,
      status: { type: "string", enum: ["pending", "done", "failed"] },
      /** A pending test with no answer by then is failed. */
      answerBy: { ...nullable("string"), format: "date-time" },
      finishedAt: { ...nullable("string"), format: "date-time" },
      downloadBitsPerSecond: nullable("number"),
      uploadBitsPerSecond: nullable("number"),
      rttMs: nullable("number"),
      downloadBytes: nullable("integer"),
      uploadBytes: nullable("integer"),
      server: nullable("string"),
      error: nullable("string"),
    },
  },
  Gateway: {
    type: "object",
    properties: {
      gatewayId: { type: "string" },
      online: { type: "boolean" },
      bootId: { type: "string" },
      lastReboot: time,
      lastSeen: time,
      firstSeen: time,
      deviceCount: { type: "integer" },
      agentVersion: nullable("string"),
      uptimeSeconds: nullable("number"),
      clockOffsetMs: nullable("integer"),
      router: { oneOf: [ref("Router"), { type: "null" }] },
      agentHealth: {
        description:
          "the agent's health from its latest online state message (protocol agentHealthSchema), plus reportedAt",
        oneOf: [{ type: "object", properties: { reportedAt: time } }, { type: "null" }],
      },
      lineQuality: { type: "array", items: ref("LineQuality") },
      speedTests: {
        type: "array",
        description: `the latest ${SPEED_TESTS_SHOWN}, newest first`,
        items: ref("SpeedTest"),
      },
      radios: { type: "array", items: { type: "object" } },
      interfaces: { type: "array", items: { type: "object" } },
    },
  },
  Sample: {
    type: "object",
    properties: {
      at: time,
      signalDbm: nullable("number"),
      downloadBytesPerSecond: nullable("number"),
      uploadBytesPerSecond: nullable("number"),
      downloadBytesThisLease: nullable("integer"),
      uploadBytesThisLease: nullable("integer"),
    },
  },
};

export function openApiDocument(): object {
  const both = "support or privacy";
  return {
    openapi: "3.1.0",
    info: {
      title: "Leaseline collector API",
      version: LEASELINE_VERSION,
      description:
        "Support queries and privacy requests. Times are collector clock, ISO-8601 UTC. Device data exists only while the device's lease does.",
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } }, schemas },
    paths: {
      "/api/v1/gateways": {
        get: op("gateways: online, boot id, last reboot, last seen, device count", [limit, after], both),
      },
      "/api/v1/gateways/{gateway}": {
        get: op(
          "router identity (WAN addresses, router MAC, model, firmware, load, memory), agent health, line quality, latest speed tests, radios, interfaces",
          [gateway],
          both,
          ref("Gateway"),
        ),
      },
      "/api/v1/gateways/{gateway}/devices": {
        get: op(
          "devices now: type, vendor, addresses, lease, band or port, signal, download/upload rates and bytes this lease",
          [gateway, limit, after],
          both,
          { type: "array", items: ref("Device") },
        ),
      },
      "/api/v1/gateways/{gateway}/devices/{mac}/history": {
        get: op(
          "signal and traffic samples of the device's current lease",
          [gateway, param("mac", "path", "MAC address"), since, limit],
          both,
          { type: "array", items: ref("Sample") },
        ),
      },
      "/api/v1/gateways/{gateway}/bandwidth": {
        get: op("interface bandwidth samples", [gateway, since, limit], both),
      },
      "/api/v1/gateways/{gateway}/events": {
        get: op("joins, releases, expiries, resets", [gateway, since, limit], both),
      },
      "/api/v1/gateways/{gateway}/speedtest": {
        get: op(
          "the gateway's latest speed tests, newest first (pending, done or failed)",
          [gateway, limit],
          both,
        ),
        post: {
          ...op(
            "start a speed test: the gateway measures download, upload and round trip against the collector",
            [gateway],
            both,
          ),
          responses: {
            "202": {
              description: "started: `{ testId, status: pending, answerBy, ... }`; poll GET for the result",
            },
            ...errors,
            "409": { description: "the gateway is offline, or a test of it is already running" },
            "503": {
              description:
                "speed tests are not configured (see --speedtest-url), or the command could not be sent",
            },
          },
        },
      },
      "/api/v1/gateways/{gateway}/refresh": {
        post: {
          ...op("ask the gateway for a snapshot now; waits up to 10 s for it to be stored", [gateway], both),
          responses: {
            "200": { description: "a newer snapshot is stored: `{ status: updated, lastSnapshotSeq, ... }`" },
            "202": { description: "requested, but no newer snapshot was stored within 10 s" },
            ...errors,
            "409": { description: "the gateway is offline" },
          },
        },
      },
      "/api/v1/gateways/{gateway}/export": {
        get: op(
          "everything stored about the gateway or device, one JSON document",
          [gateway, mac],
          "privacy",
        ),
      },
      "/api/v1/gateways/{gateway}/erase": {
        post: op(
          "delete everything about the gateway or device: database, ingest queue, retained broker message",
          [gateway, mac],
          "privacy",
        ),
      },
    },
  };
}
