/**
 * SNMP client for one polled router: option validation, the `udp://HOST:PORT` target, and two
 * requests (a GET of scalars and a multi-column GETBULK walk of a table) over net-snmp.
 * Always SNMPv2c or v3: net-snmp defaults to v1, which cannot carry the Counter64 columns of
 * ifXTable. Failures are thrown as SnmpRequestError with a kind (timeout, malformed, error) so
 * the caller can record each table's outcome and carry on.
 */
import { isIP } from "node:net";
import { type NetSnmpSession, type NetSnmpVarbind, netSnmp } from "./netSnmp.js";
import { compareOids, isUnderOid, type Varbinds } from "./varbinds.js";

export const SNMP_AUTH_PROTOCOLS = ["md5", "sha", "sha224", "sha256", "sha384", "sha512"] as const;
export const SNMP_PRIV_PROTOCOLS = ["des", "aes", "aes256b", "aes256r"] as const;
export type SnmpAuthProtocol = (typeof SNMP_AUTH_PROTOCOLS)[number];
export type SnmpPrivProtocol = (typeof SNMP_PRIV_PROTOCOLS)[number];

export interface SnmpV3Options {
  user: string;
  level: "authPriv" | "authNoPriv";
  authProtocol: SnmpAuthProtocol;
  authKey: string;
  privProtocol?: SnmpPrivProtocol;
  privKey?: string;
}

export interface SnmpClientOptions {
  /** `udp://HOST[:PORT]`: an IPv4 address or a bracketed IPv6 address; the port defaults to 161. */
  target: string;
  version: "2c" | "3";
  /** Required for version 2c. */
  community?: string;
  /** Required for version 3. */
  v3?: SnmpV3Options;
  /** Per request; a walk makes many requests. */
  timeoutMs: number;
  /** Re-sends of a request before it times out. */
  retries: number;
}

/** A router on a LAN answers in milliseconds; two seconds allows a busy one's CPU. */
export const DEFAULT_SNMP_TIMEOUT_MS = 2000;
/** One re-send covers a lost datagram without doubling the cost of a dead router twice over. */
export const DEFAULT_SNMP_RETRIES = 1;
/** RFC 3414 §11.2: USM pass phrases shorter than 8 characters are refused by agents. */
const MIN_V3_KEY_LENGTH = 8;
const MAX_TIMEOUT_MS = 60_000;
const MAX_RETRIES = 10;
/** Varbinds asked for per GETBULK: responses stay a few kilobytes even with Counter64 columns. */
const MAX_VARBINDS_PER_REQUEST = 60;
/** A walk returning more than this is a looping or hostile agent (5,000 rows × 13 columns fit). */
export const MAX_WALK_VARBINDS = 200_000;

export interface SnmpTarget {
  host: string;
  port: number;
  transport: "udp4" | "udp6";
}

export function parseSnmpTarget(value: string, option = "target"): SnmpTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (!scheme) {
    throw new Error(
      `${option}: ${JSON.stringify(value)} is not udp://HOST[:PORT] (e.g. udp://192.168.1.1:161 or udp://[2001:db8::1])`,
    );
  }
  if (scheme[1]?.toLowerCase() !== "udp") {
    throw new Error(`${option}: only udp:// is supported, got ${JSON.stringify(value)}`);
  }
  const authority = value.slice(scheme[0].length).replace(/\/$/, "");
  if (authority.includes("@")) {
    throw new Error(`${option}: do not put a community or user in the URL; use the community or v3 options`);
  }
  let host: string;
  let portText: string | undefined;
  let transport: SnmpTarget["transport"];
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(authority);
  if (bracketed) {
    host = bracketed[1] ?? "";
    portText = bracketed[2];
    transport = "udp6";
    if (isIP(host) !== 6)
      throw new Error(`${option}: ${JSON.stringify(host)} in brackets is not an IPv6 address`);
  } else {
    if ((authority.match(/:/g) ?? []).length > 1) {
      throw new Error(
        `${option}: ${JSON.stringify(value)}: IPv6 addresses go in brackets (udp://[2001:db8::1]:161)`,
      );
    }
    const colon = authority.indexOf(":");
    host = colon < 0 ? authority : authority.slice(0, colon);
    portText = colon < 0 ? undefined : authority.slice(colon + 1);
    transport = "udp4";
    if (host === "") throw new Error(`${option}: ${JSON.stringify(value)} has no host`);
    if (isIP(host) !== 4) {
      throw new Error(
        `${option}: ${JSON.stringify(host)} is not an IPv4 address (host names are not resolved; IPv6 goes in brackets)`,
      );
    }
  }
  let port = 161;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new Error(`${option}: port ${JSON.stringify(portText)} is not between 1 and 65535`);
    }
    port = Number(portText);
  }
  return { host, port, transport };
}

/** Checks every option and reports all problems at once, each naming its option. */
export function validateSnmpOptions(options: SnmpClientOptions): SnmpTarget {
  const problems: string[] = [];
  let target: SnmpTarget | null = null;
  try {
    target = parseSnmpTarget(options.target);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const isInt = (v: unknown, min: number, max: number) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
  if (!isInt(options.timeoutMs, 1, MAX_TIMEOUT_MS)) {
    problems.push(`timeoutMs: expected a whole number of ms between 1 and ${MAX_TIMEOUT_MS}`);
  }
  if (!isInt(options.retries, 0, MAX_RETRIES)) {
    problems.push(`retries: expected a whole number between 0 and ${MAX_RETRIES}`);
  }
  if (options.version === "2c") {
    if (typeof options.community !== "string" || options.community === "") {
      problems.push("community: required for version 2c");
    }
  } else if (options.version === "3") {
    const v3 = options.v3;
    if (!v3) {
      problems.push("v3: required for version 3 (user, level, authProtocol, authKey, ...)");
    } else {
      if (typeof v3.user !== "string" || v3.user === "") problems.push("v3.user: required");
      if (v3.level !== "authPriv" && v3.level !== "authNoPriv") {
        problems.push("v3.level: expected authPriv or authNoPriv (unauthenticated v3 is not supported)");
      }
      if (!SNMP_AUTH_PROTOCOLS.includes(v3.authProtocol)) {
        problems.push(`v3.authProtocol: expected one of ${SNMP_AUTH_PROTOCOLS.join(", ")}`);
      }
      if (typeof v3.authKey !== "string" || v3.authKey.length < MIN_V3_KEY_LENGTH) {
        problems.push(`v3.authKey: at least ${MIN_V3_KEY_LENGTH} characters`);
      }
      if (v3.level === "authPriv") {
        if (v3.privProtocol === undefined || !SNMP_PRIV_PROTOCOLS.includes(v3.privProtocol)) {
          problems.push(`v3.privProtocol: expected one of ${SNMP_PRIV_PROTOCOLS.join(", ")} for authPriv`);
        }
        if (typeof v3.privKey !== "string" || v3.privKey.length < MIN_V3_KEY_LENGTH) {
          problems.push(`v3.privKey: at least ${MIN_V3_KEY_LENGTH} characters for authPriv`);
        }
      }
    }
  } else {
    problems.push(
      `version: expected "2c" or "3" (v1 has no Counter64), got ${JSON.stringify(options.version)}`,
    );
  }
  if (problems.length > 0 || target === null) {
    throw new Error(`invalid SNMP options: ${problems.join("; ")}`);
  }
  return target;
}

export type SnmpFailureKind = "timeout" | "malformed" | "error";

export class SnmpRequestError extends Error {
  constructor(
    readonly kind: SnmpFailureKind,
    message: string,
  ) {
    super(message);
    this.name = "SnmpRequestError";
  }
}

/** ResponseInvalidError codes that mean the agent sent something undecodable or out of order. */
const MALFORMED_RESPONSE_CODES = new Set([
  "EIp4AddressSize",
  "EUnknownObjectType",
  "EUnknownPduType",
  "EReqResOidNoMatch",
  "EOutOfOrder",
  "EBadVarbindList",
]);

function classify(error: Error & { code?: unknown }): SnmpRequestError {
  if (error instanceof SnmpRequestError) return error;
  // net-snmp's error classes name themselves; comparing names keeps this independent of
  // which copy of the module created the error.
  if (error.name === "RequestTimedOutError") return new SnmpRequestError("timeout", error.message);
  if (error.name === "ResponseInvalidError" && typeof error.code === "number") {
    const code = netSnmp.ResponseInvalidCode[error.code];
    if (typeof code === "string" && MALFORMED_RESPONSE_CODES.has(code)) {
      return new SnmpRequestError("malformed", error.message);
    }
  }
  return new SnmpRequestError("error", error.message);
}

export interface SnmpClient {
  readonly target: SnmpTarget;
  /** Values of the given instance OIDs; an OID the agent does not have is absent from the map. */
  get(oids: readonly string[]): Promise<Varbinds>;
  /**
   * Walks the given columns of a table entry (e.g. ifEntry `1.3.6.1.2.1.2.2.1`, columns
   * [2, 10]) in one GETBULK stream, returning every cell as oid → value in walk order.
   */
  walkColumns(entryOid: string, columns: readonly number[]): Promise<Varbinds>;
  close(): void;
}

export function createSnmpClient(options: SnmpClientOptions): SnmpClient {
  const target = validateSnmpOptions(options);
  const sessionOptions = {
    port: target.port,
    retries: options.retries,
    timeout: options.timeoutMs,
    transport: target.transport,
    backwardsGetNexts: false,
  };
  let session: NetSnmpSession;
  if (options.version === "3") {
    const v3 = options.v3 as SnmpV3Options;
    session = netSnmp.createV3Session(
      target.host,
      {
        name: v3.user,
        level: netSnmp.SecurityLevel[v3.level],
        authProtocol: netSnmp.AuthProtocols[v3.authProtocol],
        authKey: v3.authKey,
        ...(v3.level === "authPriv" && v3.privProtocol
          ? { privProtocol: netSnmp.PrivProtocols[v3.privProtocol], privKey: v3.privKey }
          : {}),
      },
      sessionOptions,
    );
  } else {
    session = netSnmp.createSession(target.host, options.community ?? "", {
      ...sessionOptions,
      version: netSnmp.Version2c,
    });
  }
  // A socket error is reported to the pending requests; without a listener it would crash the agent.
  let socketError: Error | null = null;
  session.on("error", (error) => {
    socketError = error;
  });

  function request<T>(send: (callback: (error: Error | null, result?: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      if (socketError) {
        reject(classify(socketError));
        return;
      }
      try {
        send((error, result) => {
          if (error) reject(classify(error));
          else if (result === undefined) reject(new SnmpRequestError("malformed", "empty response"));
          else resolve(result);
        });
      } catch (error) {
        reject(classify(error as Error));
      }
    });
  }

  const isEnd = (vb: NetSnmpVarbind) => vb.type === netSnmp.ObjectType.EndOfMibView;

  return {
    target,
    async get(oids) {
      const varbinds = await request<NetSnmpVarbind[]>((cb) => session.get([...oids], cb));
      const result = new Map<string, unknown>();
      for (const vb of varbinds) if (!netSnmp.isVarbindError(vb)) result.set(vb.oid, vb.value);
      return result;
    },
    async walkColumns(entryOid, columns) {
      const result = new Map<string, unknown>();
      const cursors = columns.map((c) => ({
        prefix: `${entryOid}.${c}`,
        cursor: `${entryOid}.${c}`,
        done: false,
      }));
      for (;;) {
        const active = cursors.filter((c) => !c.done);
        if (active.length === 0) return result;
        const repetitions = Math.max(1, Math.floor(MAX_VARBINDS_PER_REQUEST / active.length));
        const response = await request<NetSnmpVarbind[][]>((cb) =>
          session.getBulk(
            active.map((c) => c.cursor),
            0,
            repetitions,
            cb,
          ),
        );
        // Agents may truncate a GETBULK response (RFC 3416 §4.2.3; net-snmp's own agent caps
        // it at max-repetitions varbinds in all): a column without varbinds is asked again.
        let progressed = false;
        active.forEach((column, i) => {
          for (const vb of response[i] ?? []) {
            progressed = true;
            if (isEnd(vb) || netSnmp.isVarbindError(vb) || !isUnderOid(vb.oid, column.prefix)) {
              column.done = true;
              break;
            }
            if (compareOids(vb.oid, column.cursor) <= 0) {
              throw new SnmpRequestError(
                "malformed",
                `agent returned ${vb.oid} after ${column.cursor} (not increasing)`,
              );
            }
            result.set(vb.oid, vb.value);
            column.cursor = vb.oid;
          }
        });
        if (!progressed)
          throw new SnmpRequestError("malformed", `${entryOid}: agent answered GETBULK with nothing`);
        if (result.size > MAX_WALK_VARBINDS) {
          throw new SnmpRequestError(
            "malformed",
            `${entryOid}: more than ${MAX_WALK_VARBINDS} values, walk abandoned`,
          );
        }
      }
    },
    close() {
      try {
        session.close();
      } catch {
        // Closing an already closed socket throws; there is nothing left to release.
      }
    },
  };
}

export type FetchOutcome =
  | { ok: true; varbinds: Varbinds }
  | { ok: false; kind: SnmpFailureKind; error: string };

/** Runs one fetch and turns its failure into a value, so one table's failure stops nothing else. */
export async function attempt(fetch: () => Promise<Varbinds>): Promise<FetchOutcome> {
  try {
    return { ok: true, varbinds: await fetch() };
  } catch (error) {
    const failure = error instanceof SnmpRequestError ? error : classify(error as Error);
    return { ok: false, kind: failure.kind, error: failure.message };
  }
}
