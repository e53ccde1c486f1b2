/**
 * Typed view of the parts of the `net-snmp` package (3.29.x) that Leaseline uses. The package
 * ships no type declarations; it is loaded with createRequire so that no ambient
 * `declare module` is needed (another module declaring it differently would clash).
 * Values arrive as the package documents: OCTET STRING and Counter64 as Buffers (Counter64 of
 * whatever length the agent encoded), OID and IpAddress as dotted strings, the other integer
 * types as numbers, and null for noSuchObject/noSuchInstance/endOfMibView.
 */
import { createRequire } from "node:module";

export interface NetSnmpVarbind {
  oid: string;
  type: number;
  value: unknown;
}

export type NetSnmpCallback<T> = (error: Error | null, result?: T) => void;

export interface NetSnmpSession {
  get(oids: string[], callback: NetSnmpCallback<NetSnmpVarbind[]>): void;
  /** With nonRepeaters 0, the result holds one array of varbinds per requested OID. */
  getBulk(
    oids: string[],
    nonRepeaters: number,
    maxRepetitions: number,
    callback: NetSnmpCallback<NetSnmpVarbind[][]>,
  ): void;
  close(): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "close", listener: () => void): void;
}

export interface NetSnmpUser {
  name: string;
  level: number;
  authProtocol?: number;
  authKey?: string;
  privProtocol?: number;
  privKey?: string;
}

export interface NetSnmpSessionOptions {
  port: number;
  retries: number;
  timeout: number;
  transport: "udp4" | "udp6";
  version?: number;
  /** False makes a response whose OIDs do not increase an error instead of an endless walk. */
  backwardsGetNexts: boolean;
}

export interface NetSnmpMibProvider {
  name: string;
  type: number;
  oid: string;
  maxAccess: number;
  scalarType?: number;
  tableColumns?: { number: number; name: string; type: number; maxAccess: number }[];
  tableIndex?: { columnName: string; foreign?: string; length?: number; implied?: boolean }[];
  tableAugments?: string;
}

export interface NetSnmpMib {
  registerProvider(provider: NetSnmpMibProvider): void;
  setScalarValue(name: string, value: unknown): void;
  addTableRow(name: string, row: unknown[]): void;
  deleteTableRow(name: string, rowIndex: unknown[]): void;
}

export interface NetSnmpAgent {
  getMib(): NetSnmpMib;
  getAuthorizer(): { addCommunity(community: string): void; addUser(user: NetSnmpUser): void };
  close(callback?: () => void): void;
}

export interface NetSnmpModule {
  Version2c: number;
  Version3: number;
  ObjectType: Record<
    | "Integer"
    | "OctetString"
    | "OID"
    | "IpAddress"
    | "Counter"
    | "Gauge"
    | "TimeTicks"
    | "Counter64"
    | "NoSuchObject"
    | "NoSuchInstance"
    | "EndOfMibView",
    number
  >;
  SecurityLevel: Record<"noAuthNoPriv" | "authNoPriv" | "authPriv", number>;
  AuthProtocols: Record<"md5" | "sha" | "sha224" | "sha256" | "sha384" | "sha512", number>;
  PrivProtocols: Record<"des" | "aes" | "aes256b" | "aes256r", number>;
  MibProviderType: Record<"Scalar" | "Table", number>;
  MaxAccess: Record<"not-accessible" | "read-only", number>;
  ResponseInvalidCode: Record<string, number | string>;
  isVarbindError(varbind: NetSnmpVarbind): boolean;
  createSession(target: string, community: string, options: NetSnmpSessionOptions): NetSnmpSession;
  createV3Session(target: string, user: NetSnmpUser, options: NetSnmpSessionOptions): NetSnmpSession;
  createAgent(
    options: { port: number; address: string; transport?: "udp4" | "udp6"; engineID?: string },
    callback: (error: Error | null) => void,
  ): NetSnmpAgent;
}

export const netSnmp = createRequire(import.meta.url)("net-snmp") as NetSnmpModule;
