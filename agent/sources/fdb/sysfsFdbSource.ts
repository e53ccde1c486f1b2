/**
 * Source "sysfs-fdb": the forwarding database of every bridge, from sysfs (parseBrforward.ts),
 * with each port number named through `brif/<port>/port_no`. The same rows as "bridge-fdb"
 * without starting a process, on every kernel with bridging, including OpenWrt images without the
 * `bridge` command; what it lacks is the VLAN of each row (see attachBridgePorts). Like
 * bridge-fdb, its rows are returned as `bridgeFdb` for the collection cycle to attach to the
 * neighbours. A few directory listings and small reads, so it is read every cycle, uncached.
 */
import { type ParseResult, type SkippedLine, skippedLine } from "../parseResult.js";
import type { Source, SourceContext, SourceOutcome } from "../source.js";
import { parseBrforward, parseBridgePortNumber } from "./parseBrforward.js";
import type { BridgeFdbEntry } from "./parseBridgeFdbJson.js";

const SYS_CLASS_NET = "/sys/class/net";

/** The bridges: the interfaces with a `brif` directory (and, with it, a `brforward` table). */
async function listBridges(ctx: SourceContext): Promise<{ bridge: string; ports: string[] }[] | null> {
  const names = await ctx.listSystemDir(SYS_CLASS_NET);
  if (names === null) return null;
  const bridges: { bridge: string; ports: string[] }[] = [];
  for (const bridge of [...names].sort()) {
    const ports = await ctx.listSystemDir(`${SYS_CLASS_NET}/${bridge}/brif`);
    if (ports !== null) bridges.push({ bridge, ports: ports.sort() });
  }
  return bridges;
}

/** One bridge's table, its port numbers named. */
async function readBridgeFdb(
  ctx: SourceContext,
  bridge: string,
  ports: readonly string[],
): Promise<ParseResult<BridgeFdbEntry>> {
  const dir = `${SYS_CLASS_NET}/${bridge}`;
  const skipped: SkippedLine[] = [];
  const portNames = new Map<number, string>();
  for (const port of ports) {
    const path = `${dir}/brif/${port}/port_no`;
    const text = await ctx.readSystemFile(path);
    // A port that left the bridge since the listing has no file any more: nothing to name.
    if (text === null) continue;
    const number = parseBridgePortNumber(text);
    if (number === null) skipped.push(skippedLine(1, "not a port number", `${path}: ${text.trim()}`));
    else portNames.set(number, port);
  }
  const bytes = await ctx.readSystemBytes(`${dir}/brforward`);
  if (bytes === null) return { records: [], skipped };
  const table = parseBrforward(bytes);
  const records: BridgeFdbEntry[] = [];
  for (const entry of table.records) {
    const port = portNames.get(entry.port);
    if (port === undefined) {
      // A port that joined after the listing; it is named at the next cycle.
      skipped.push(
        skippedLine(0, `${entry.mac} is on port ${entry.port}, which brif does not list`, `${dir}/brforward`),
      );
      continue;
    }
    records.push({
      mac: entry.mac,
      interface: port,
      bridge,
      vlan: null,
      permanent: entry.local,
      self: false,
    });
  }
  for (const s of table.skipped) skipped.push({ ...s, text: `${dir}/brforward: ${s.text}` });
  return { records, skipped };
}

export function createSysfsFdbSource(): Source {
  return {
    name: "sysfs-fdb",
    async detect(ctx: SourceContext): Promise<boolean> {
      try {
        return ((await listBridges(ctx)) ?? []).length > 0;
      } catch {
        return false;
      }
    },
    async collect(ctx: SourceContext): Promise<SourceOutcome> {
      let bridges: Awaited<ReturnType<typeof listBridges>>;
      try {
        bridges = await listBridges(ctx);
      } catch (error) {
        return {
          status: "error",
          error: `cannot list the bridges in ${SYS_CLASS_NET}: ${(error as Error).message}`,
        };
      }
      if (bridges === null) return { status: "absent", reason: `${SYS_CLASS_NET} does not exist` };
      if (bridges.length === 0) return { status: "absent", reason: `no bridge in ${SYS_CLASS_NET}` };
      const records: BridgeFdbEntry[] = [];
      const skipped: SkippedLine[] = [];
      for (const { bridge, ports } of bridges) {
        try {
          const table = await readBridgeFdb(ctx, bridge, ports);
          records.push(...table.records);
          skipped.push(...table.skipped);
        } catch (error) {
          return {
            status: "error",
            error: `cannot read ${bridge}'s forwarding table: ${(error as Error).message}`,
          };
        }
      }
      return { status: "ok", records: { bridgeFdb: records }, skipped };
    },
  };
}
