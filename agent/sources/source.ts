/**
 * The contract between the agent's collection loop and each data source. A source is a pure
 * parser (its own file) plus this small I/O adapter: where its input lives under `--root`,
 * which command it runs, and how to turn the text into protocol records.
 */
import type {
  DeviceTraffic,
  DhcpPool,
  InterfaceCounters,
  Lease,
  LineQuality,
  Neighbor,
  Radio,
  RouterInfo,
  Station,
} from "../../protocol/index.js";
import type { BridgeFdbEntry } from "./fdb/parseBridgeFdbJson.js";
import type { SkippedLine } from "./parseResult.js";
import type { CommandResult } from "./runCommand.js";

/** Records a source contributes to one snapshot; every array is optional. */
export interface SourceRecords {
  leases?: Lease[];
  neighbors?: Neighbor[];
  interfaces?: InterfaceCounters[];
  radios?: Radio[];
  stations?: Station[];
  traffic?: DeviceTraffic[];
  lineQuality?: LineQuality[];
  router?: RouterInfo;
  /** The DHCP server's IPv4 pools (for the router record). */
  dhcpPools?: DhcpPool[];
  /** Not a protocol record: which bridge port each MAC was learned on, attached to the neighbours. */
  bridgeFdb?: BridgeFdbEntry[];
}

/** A Wi-Fi station as far as a change check cares: which radio interface a MAC is on. */
export type StationMembership = Pick<Station, "mac" | "interface">;

/** What a change check reads of a source (agent/runtime/changeDetector.ts). */
export interface ChangeRecords {
  leases?: Lease[];
  stations?: StationMembership[];
}

export type SourceOutcome =
  /** The source is not on this gateway (file missing, binary not installed). */
  | { status: "absent"; reason: string }
  /** The source exists but could not be read (timeout, permission, unparsable as a whole). */
  | { status: "error"; error: string }
  | { status: "ok"; records: SourceRecords; skipped: SkippedLine[] };

export interface SourceContext {
  /** Prefix for every system path (`/` on a real gateway, a simulator directory in tests). */
  root: string;
  /** Reads a system path below root; null when the file does not exist. */
  readSystemFile(path: string): Promise<string | null>;
  /** Reads a binary system file below root (sysfs tables); null when it does not exist. */
  readSystemBytes(path: string): Promise<Uint8Array | null>;
  /** Lists a system directory below root; null when it does not exist. */
  listSystemDir(path: string): Promise<string[] | null>;
  /** Runs a command without a shell and with a timeout. */
  runCommand(command: string, args: readonly string[]): Promise<CommandResult>;
  /** The gateway's clock, ms since epoch. */
  now(): number;
}

export interface Source {
  /** Name used in `--sources` and in the snapshot's source status. */
  readonly name: string;
  /** Whether the source is present on this gateway, for `--sources auto`. Cheap: a stat or a `which`. */
  detect(ctx: SourceContext): Promise<boolean>;
  collect(ctx: SourceContext): Promise<SourceOutcome>;
  /**
   * For the agent's frequent change checks, where collect() would be dear: only the records a
   * change is made of, which must be exactly those collect() would report (the Wi-Fi source
   * reads the station dumps' header lines only). Without it a change check uses collect().
   */
  probe?(ctx: SourceContext): Promise<ChangeRecords>;
}
