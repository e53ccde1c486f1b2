import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_ARRAY_ITEMS, type Neighbor, topicFor, validateMessage } from "../protocol/index.js";
import { collectSnapshot } from "./collectSnapshot.js";
import { createDnsmasqSource } from "./sources/dnsmasq/dnsmasqSource.js";
import { type FakeSourceContext, fakeSourceContext } from "./sources/netdev/fakeSourceContext.js";
import type { Source } from "./sources/source.js";

/** A source of `count` reachable neighbours on br-lan, 10.x.y.z. */
function neighbours(name: string, count: number, first = 0): Source {
  const rows: Neighbor[] = Array.from({ length: count }, (_, k) => {
    const i = first + k;
    return {
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      mac: `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, "0")}:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}`,
      interface: "br-lan",
      state: "reachable",
      bridgePort: null,
    };
  });
  return {
    name,
    detect: async () => true,
    collect: async () => ({ status: "ok", records: { neighbors: rows }, skipped: [] }),
  };
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
