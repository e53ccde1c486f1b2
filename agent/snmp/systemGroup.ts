/**
 * Who the polled router is and how long it has been up: SNMPv2-MIB system group
 * (`1.3.6.1.2.1.1.x.0`), HOST-RESOURCES-MIB hrSystemUptime (`1.3.6.1.2.1.25.1.1.0`) and
 * SNMP-FRAMEWORK-MIB snmpEngineID/snmpEngineBoots (`1.3.6.1.6.3.10.2.1.{1,2}.0`), in one GET.
 *
 * Traps: sysUpTime is the time since the SNMP *agent* (re)initialised, not the host, and
 * snmpEngineBoots also counts agent restarts; only hrSystemUptime is the host's own uptime,
 * and many agents do not implement it. All three uptimes are TimeTicks (1/100 s) and wrap at
 * 2^32 (~497 days). A missing object comes back as noSuchObject and is simply null here; a
 * value of the wrong type is reported and null. Without sysUpTime there is no identity.
 */
import type { ParseResult, SkippedLine } from "../sources/parseResult.js";
import { skippedLine } from "../sources/parseResult.js";
import { attempt, type FetchOutcome, type SnmpClient } from "./snmpClient.js";
import { decodeInteger, decodeText, decodeUnsigned32, describeVarbind, type Varbinds } from "./varbinds.js";

export const SYSTEM_OIDS = {
  sysDescr: "1.3.6.1.2.1.1.1.0",
  sysObjectID: "1.3.6.1.2.1.1.2.0",
  sysUpTime: "1.3.6.1.2.1.1.3.0",
  sysContact: "1.3.6.1.2.1.1.4.0",
  sysName: "1.3.6.1.2.1.1.5.0",
  sysLocation: "1.3.6.1.2.1.1.6.0",
  hrSystemUptime: "1.3.6.1.2.1.25.1.1.0",
  snmpEngineID: "1.3.6.1.6.3.10.2.1.1.0",
  snmpEngineBoots: "1.3.6.1.6.3.10.2.1.2.0",
} as const;

export interface RouterIdentity {
  sysDescr: string | null;
  /** Dotted OID naming the vendor and model (`1.3.6.1.4.1.8072.3.2.10` is Net-SNMP on Linux). */
  sysObjectId: string | null;
  sysName: string | null;
  sysLocation: string | null;
  sysContact: string | null;
  /** TimeTicks (1/100 s) since the SNMP agent (re)initialised. */
  sysUpTime: number;
  /** TimeTicks since the host booted; null where HOST-RESOURCES-MIB is not implemented. */
  hrSystemUptime: number | null;
  /** snmpEngineID as lower-case hex; null where the agent does not expose it. */
  engineId: string | null;
  /** Times the SNMP engine has (re)initialised since its engine id was configured. */
  engineBoots: number | null;
}

/** RFC 3411: an snmpEngineID is 5 to 32 octets. */
const ENGINE_ID_LENGTH = { min: 5, max: 32 };

export function parseSystemGroup(varbinds: Varbinds): ParseResult<RouterIdentity> {
  const skipped: SkippedLine[] = [];
  const value = (oid: string) => varbinds.get(oid) ?? varbinds.get(`.${oid}`);
  const report = (oid: string, reason: string) =>
    skipped.push(skippedLine(0, reason, describeVarbind(oid, value(oid))));

  const text = (oid: string, label: string): string | null => {
    const raw = value(oid);
    if (raw === undefined || raw === null) return null;
    const decoded = decodeText(raw, label);
    if (!decoded.ok) report(oid, decoded.error);
    return decoded.ok ? decoded.value : null;
  };
  const ticks = (oid: string, label: string): number | null => {
    const raw = value(oid);
    if (raw === undefined || raw === null) return null;
    const decoded = decodeUnsigned32(raw, label);
    if (!decoded.ok) report(oid, `${label} is not TimeTicks`);
    return decoded.ok ? decoded.value : null;
  };

  let sysObjectId: string | null = null;
  const objectId = value(SYSTEM_OIDS.sysObjectID);
  if (typeof objectId === "string" && /^\.?\d+(\.\d+)+$/.test(objectId))
    sysObjectId = objectId.replace(/^\./, "");
  else if (objectId !== undefined && objectId !== null)
    report(SYSTEM_OIDS.sysObjectID, "sysObjectID is not an OID");

  let engineId: string | null = null;
  const rawEngineId = value(SYSTEM_OIDS.snmpEngineID);
  if (Buffer.isBuffer(rawEngineId) && rawEngineId.length >= ENGINE_ID_LENGTH.min) {
    if (rawEngineId.length <= ENGINE_ID_LENGTH.max) engineId = rawEngineId.toString("hex");
    else report(SYSTEM_OIDS.snmpEngineID, "snmpEngineID is longer than 32 octets");
  } else if (rawEngineId !== undefined && rawEngineId !== null) {
    report(SYSTEM_OIDS.snmpEngineID, "snmpEngineID is not an OCTET STRING of 5 to 32 octets");
  }

  let engineBoots: number | null = null;
  const rawBoots = value(SYSTEM_OIDS.snmpEngineBoots);
  if (rawBoots !== undefined && rawBoots !== null) {
    const decoded = decodeInteger(rawBoots, "snmpEngineBoots");
    if (decoded.ok && decoded.value >= 1) engineBoots = decoded.value;
    else report(SYSTEM_OIDS.snmpEngineBoots, "snmpEngineBoots is not an INTEGER 1..2^31-1");
  }

  const identity = {
    sysDescr: text(SYSTEM_OIDS.sysDescr, "sysDescr"),
    sysObjectId,
    sysName: text(SYSTEM_OIDS.sysName, "sysName"),
    sysLocation: text(SYSTEM_OIDS.sysLocation, "sysLocation"),
    sysContact: text(SYSTEM_OIDS.sysContact, "sysContact"),
    sysUpTime: ticks(SYSTEM_OIDS.sysUpTime, "sysUpTime"),
    hrSystemUptime: ticks(SYSTEM_OIDS.hrSystemUptime, "hrSystemUptime"),
    engineId,
    engineBoots,
  };
  const { sysUpTime } = identity;
  if (sysUpTime === null) {
    const raw = value(SYSTEM_OIDS.sysUpTime);
    if (raw === undefined || raw === null) {
      skipped.push(skippedLine(0, "sysUpTime missing: no identity", SYSTEM_OIDS.sysUpTime));
    }
    return { records: [], skipped };
  }
  return { records: [{ ...identity, sysUpTime }], skipped };
}

export function fetchSystemGroup(client: SnmpClient): Promise<FetchOutcome> {
  return attempt(() => client.get(Object.values(SYSTEM_OIDS)));
}
