import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { createConntrackSource } from "./conntrackSource.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures/conntrack", name), "utf8");

describe("conntrack source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("accumulates traffic per LAN address across readings, keeping the bytes of flows that ended", async () => {
    ctx = fakeSourceContext();
    ctx.write("/proc/net/nf_conntrack", fixture("openwrt-router-acct.txt"));
    const source = createConntrackSource();
    const first = await source.collect(ctx);
    expect(first.status).toBe("ok");
    const before = first.status === "ok" ? (first.records.traffic ?? []) : [];
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((t) => t.source === "conntrack" && t.mac === null && t.ip)).toBe(true);
    ctx.write("/proc/net/nf_conntrack", "");
    const second = await source.collect(ctx);
    expect(second.status === "ok" && second.records.traffic).toEqual(before);
  });

  it("says accounting is off instead of reporting zero traffic", async () => {
    ctx = fakeSourceContext();
    ctx.write("/proc/net/nf_conntrack", fixture("openwrt-router-no-acct.txt"));
    expect(await createConntrackSource().collect(ctx)).toMatchObject({
      status: "absent",
      reason: expect.stringMatching(/nf_conntrack_acct=1/),
    });
  });
});
