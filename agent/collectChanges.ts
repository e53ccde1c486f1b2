/**
 * A change check (agent/runtime/changeDetector.ts): the lease holders and radio memberships
 * from the sources a change is made of (CHANGE_SOURCES), each read as cheaply as it can
 * (Source.probe: the Wi-Fi source reads only the station dumps' header lines). It runs at every
 * poll, the full collection (collectSnapshot.ts) only when something is to be published. A
 * source that fails contributes nothing: the change that then shows makes the full collection
 * run and report the failure.
 */
import { CHANGE_SOURCES, type ChangeInput } from "./runtime/changeDetector.js";
import type { ChangeRecords, Source, SourceContext } from "./sources/source.js";

export async function collectChanges(
  sources: readonly Source[],
  ctx: SourceContext,
): Promise<Omit<ChangeInput, "bootId">> {
  const found = await Promise.all(
    sources.filter((s) => CHANGE_SOURCES.has(s.name)).map((s) => probeSafely(s, ctx)),
  );
  return { leases: found.flatMap((f) => f.leases ?? []), stations: found.flatMap((f) => f.stations ?? []) };
}

async function probeSafely(source: Source, ctx: SourceContext): Promise<ChangeRecords> {
  try {
    if (source.probe) return await source.probe(ctx);
    const outcome = await source.collect(ctx);
    return outcome.status === "ok" ? outcome.records : {};
  } catch {
    return {};
  }
}
