import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_ARRAY_ITEMS, type Neighbor, topicFor, validateMessage } from "../protocol/index.js";
import { collectSnapshot } from "./collectSnapshot.js";
import { createDnsmasqSource } from "./sources/dnsmasq/dnsmasqSource.js";
import { type FakeSourceContext, fakeSourceContext } from "./sources/netdev/fakeSourceContext.js";
import type { Source, SourceRecords } from "./sources/source.js";

/** `count` reachable neighbours on br-lan, 10.x.y.z, numbered from `first`. */
function neighbourRows(count: number, first = 0): Neighbor[] {
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const hex = (shift: number) => ((i >> shift) & 255).toString(16).padStart(2, "0");
    return {
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      mac: `02:00:00:${hex(16)}:${hex(8)}:${hex(0)}`,
      interface: "br-lan",
      state: "reachable",
      bridgePort: null,
    };
  });
}

function sourceOf(name: string, records: SourceRecords): Source {
  return {
    name,
    detect: async () => true,
    collect: async () => ({ status: "ok", records, skipped: [] }),
  };
}

function neighbours(name: string, count: number, first = 0): Source {
  return sourceOf(name, { neighbors: neighbourRows(count, first) });
}

/** Whether the collector would take the snapshot, numbered as the agent numbers it. */
function collectorTakes(snapshot: Awaited<ReturnType<typeof collectSnapshot>>["snapshot"]) {
  const message = { ...snapshot, seq: 1, bootId: "boot-a" };
  return validateMessage(topicFor(message.gatewayId, "snapshot"), JSON.stringify(message));
}

describe("collectSnapshot", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("leaves out rows past the protocol's per-array limit, says so, and the collector takes the rest", async () => {
    ctx = fakeSourceContext();
    const { snapshot, skippedExamples } = await collectSnapshot(
      [neighbours("first", MAX_ARRAY_ITEMS - 100), neighbours("second", 300, MAX_ARRAY_ITEMS)],
      ctx,
      "gw-1",
    );
    expect(snapshot.neighbors).toHaveLength(MAX_ARRAY_ITEMS);
    expect(snapshot.sources).toEqual([
      { source: "first", status: "ok", records: MAX_ARRAY_ITEMS - 100, skipped: 0, error: null },
      { source: "second", status: "ok", records: 100, skipped: 1, error: null },
    ]);
    expect(skippedExamples.get("second")).toEqual([
      {
        line: 0,
        reason: `200 neighbors past the protocol's limit of ${MAX_ARRAY_ITEMS} per snapshot left out`,
        text: "",
      },
    ]);
    expect(collectorTakes(snapshot)).toMatchObject({ ok: true });
  });

  it("keeps the neighbours support needs when the table overflows: leased MACs, then any MAC, then unresolved", async () => {
    ctx = fakeSourceContext();
    const unresolved = (rows: Neighbor[]) => rows.map((n) => ({ ...n, mac: null, state: "failed" as const }));
    const table = [
      ...unresolved(neighbourRows(3000)),
      ...neighbourRows(2500, 10_000),
      ...neighbourRows(10, 20_000),
    ];
    // The leased devices are the last rows of the table, where "the first 5,000" would cut them.
    const leased = table.slice(-10).map((n) => n.mac as string);
    const leases = sourceOf("leases", {
      leases: leased.map((mac, i) => ({
        mac,
        ip: `192.168.1.${i + 10}`,
        family: "ipv4",
        hostname: null,
        expiresAt: null,
        clientId: null,
        duid: null,
        iaid: null,
        source: "dnsmasq",
      })),
    });
    const neigh = sourceOf("ip-neigh", { neighbors: table });
    const { snapshot, skippedExamples } = await collectSnapshot([neigh, leases], ctx, "gw-1");
    expect(snapshot.neighbors).toHaveLength(MAX_ARRAY_ITEMS);
    const kept = new Set(snapshot.neighbors.map((n) => n.mac));
    expect(leased.every((mac) => kept.has(mac))).toBe(true);
    expect(snapshot.neighbors.filter((n) => n.mac !== null)).toHaveLength(2510);
    expect(snapshot.neighbors.filter((n) => n.mac === null)).toHaveLength(MAX_ARRAY_ITEMS - 2510);
    // Kept in the table's order.
    expect(snapshot.neighbors[0]?.mac).toBeNull();
    expect(snapshot.neighbors.at(-1)?.mac).toBe(leased.at(-1));
    expect(snapshot.sources[0]).toEqual({
      source: "ip-neigh",
      status: "ok",
      records: MAX_ARRAY_ITEMS,
      skipped: 1,
      error: null,
    });
    expect(skippedExamples.get("ip-neigh")?.[0]?.reason).toBe(
      `510 neighbors past the protocol's limit of ${MAX_ARRAY_ITEMS} per snapshot left out`,
    );
    expect(collectorTakes(snapshot)).toMatchObject({ ok: true });
  });

  it("gives the collector a snapshot it takes when clients chose overlong names and ids", async () => {
    ctx = fakeSourceContext();
    ctx.write(
      "/tmp/dhcp.leases",
      readFileSync(join(import.meta.dirname, "../fixtures/dnsmasq/client-chosen-overlong.leases"), "utf8"),
    );
    const { snapshot } = await collectSnapshot([createDnsmasqSource()], ctx, "gw-1");
    expect(
      snapshot.leases.map((l) => [l.mac, l.hostname?.length ?? null, l.clientId?.length ?? null]),
    ).toEqual([
      ["00:1b:11:20:dc:2c", null, 20],
      ["00:1b:11:20:dc:2d", 7, null],
      ["00:1b:11:20:dc:2e", 255, null],
    ]);
    expect(collectorTakes(snapshot)).toMatchObject({ ok: true });
  });
});
