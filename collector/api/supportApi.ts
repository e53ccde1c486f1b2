/**
 * The support queries by API path, shared by the HTTP API and `leaseline query --db`, so both
 * give the same answer. `GET /api/v1/<path>` maps to one read of the read-only connection.
 */
import { type Db, statement } from "../store/openDatabase.js";
import { listGateways } from "../store/queries.js";
import {
  bandwidth,
  deviceHistory,
  devicesOf,
  gatewayDetail,
  gatewayEvents,
} from "../store/supportQueries.js";
import { ApiError } from "./apiError.js";
import { afterParam, gatewayParam, limitParam, macParam, sinceParam } from "./params.js";

export const API_PREFIX = "/api/v1";

export interface QueryRequest {
  /** Path below /api/v1, e.g. `/gateways/gw-1/devices`. */
  path: string;
  params: URLSearchParams;
  now: number;
}

const known = (db: Db, gatewayId: string): void => {
  if (!statement<[string], unknown>(db, "SELECT 1 FROM gateways WHERE gateway_id = ?").get(gatewayId))
    throw new ApiError(404, `no gateway ${JSON.stringify(gatewayId)}`);
};

/** Answers a read query; throws ApiError for a bad path or parameter. */
export function answerQuery(db: Db, { path, params, now }: QueryRequest): unknown {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const page = { limit: limitParam(params.get("limit")), since: sinceParam(params.get("since"), now) };
  const limit = page.limit !== undefined ? { limit: page.limit } : {};
  const since = page.since !== undefined ? { since: page.since } : {};
  const after = afterParam(params.get("after"));
  if (parts[0] !== "gateways") throw new ApiError(404, `no such resource ${path}`);
  if (parts.length === 1) return listGateways(db, { ...limit, ...(after ? { after } : {}) });
  const gatewayId = gatewayParam(parts[1] as string);
  if (parts.length === 2) {
    const detail = gatewayDetail(db, gatewayId);
    if (!detail) throw new ApiError(404, `no gateway ${JSON.stringify(gatewayId)}`);
    return detail;
  }
  known(db, gatewayId);
  const what = parts.slice(2);
  if (what.length === 1 && what[0] === "devices")
    return devicesOf(db, gatewayId, { ...limit, ...(after ? { after: macParam(after) } : {}) });
  if (what.length === 3 && what[0] === "devices" && what[2] === "history")
    return deviceHistory(db, gatewayId, macParam(what[1] as string), { ...limit, ...since });
  if (what.length === 1 && what[0] === "bandwidth") return bandwidth(db, gatewayId, { ...limit, ...since });
  if (what.length === 1 && what[0] === "events") return gatewayEvents(db, gatewayId, { ...limit, ...since });
  throw new ApiError(404, `no such resource ${path}`);
}
