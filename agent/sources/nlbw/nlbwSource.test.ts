import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { createNlbwSource } from "./nlbwSource.js";
import { parseNlbwJson } from "./parseNlbwJson.js";

const HOUSEHOLD = readFileSync(
  join(import.meta.dirname, "../../../fixtures/nlbw-json/household.json"),
  "utf8",
);

describe("nlbw source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("turns nlbwmon's per-MAC totals into traffic records", async () => {
    ctx = fakeSourceContext(() => ({ status: "ok", stdout: HOUSEHOLD }));
    const outcome = await createNlbwSource().collect(ctx);
    const expected = parseNlbwJson(HOUSEHOLD).records;
    expect(expected.length).toBeGreaterThan(0);
    expect(outcome.status === "ok" && outcome.records.traffic).toEqual(
      expected.map((d) =>
        expect.objectContaining({ mac: d.mac, rxBytes: d.rxBytes, txBytes: d.txBytes, source: "nlbwmon" }),
      ),
    );
  });

  it("reports cut-off output as an error and a missing binary as absent", async () => {
    ctx = fakeSourceContext(() => ({ status: "ok", stdout: HOUSEHOLD.slice(0, 40) }));
    expect(await createNlbwSource().collect(ctx)).toMatchObject({ status: "error" });
    ctx.cleanup();
    ctx = fakeSourceContext();
    expect(await createNlbwSource().collect(ctx)).toMatchObject({ status: "absent" });
  });
});
