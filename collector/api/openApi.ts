/** The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. */
import { LEASELINE_VERSION } from "../../common/version.js";
import { MAX_PAGE } from "../store/supportQueries.js";

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
const op = (summary: string, parameters: object[], roles: string) => ({
  summary: `${summary} (role: ${roles})`,
  security: [{ bearer: [] }],
  parameters,
  responses: { "200": { description: "JSON", content: { "application/json": {} } }, ...errors },
});

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
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths: {
      "/api/v1/gateways": {
        get: op("gateways: online, boot id, last reboot, last seen, device count", [limit, after], both),
      },
      "/api/v1/gateways/{gateway}": {
        get: op("router details, radios, interfaces with current rates", [gateway], both),
      },
      "/api/v1/gateways/{gateway}/devices": {
        get: op(
          "devices now: vendor, addresses, lease, band or port, signal, rates, bytes this lease",
          [gateway, limit, after],
          both,
        ),
      },
      "/api/v1/gateways/{gateway}/devices/{mac}/history": {
        get: op(
          "signal and traffic samples of the device's current lease",
          [gateway, param("mac", "path", "MAC address"), since, limit],
          both,
        ),
      },
      "/api/v1/gateways/{gateway}/bandwidth": {
        get: op("interface bandwidth samples", [gateway, since, limit], both),
      },
      "/api/v1/gateways/{gateway}/events": {
        get: op("joins, releases, expiries, resets", [gateway, since, limit], both),
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
