import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "./netdev/fakeSourceContext.js";
import { readSettledFile } from "./readSettledFile.js";

describe("readSettledFile", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("reads again while the file lacks its final newline, and gives the completed text", async () => {
    ctx = fakeSourceContext();
    ctx.write("/tmp/dhcp.leases", "1732360000 00:11:22:33:44:55 192.168.1.5 half");
    setTimeout(() => ctx.write("/tmp/dhcp.leases", "1732360000 00:11:22:33:44:55 192.168.1.5 host *\n"), 20);
    expect(await readSettledFile(ctx, "/tmp/dhcp.leases", { emptyMayBeTransient: true })).toMatch(
      /host \*\n$/,
    );
  });

  it("believes an empty file at once only where the server writes through a rename", async () => {
    ctx = fakeSourceContext();
    ctx.write("/leases", "");
    setTimeout(() => ctx.write("/leases", "rewritten\n"), 20);
    expect(await readSettledFile(ctx, "/leases", { emptyMayBeTransient: false })).toBe("");
    expect(await readSettledFile(ctx, "/leases", { emptyMayBeTransient: true })).toBe("rewritten\n");
  });

  it("gives null for a missing file", async () => {
    ctx = fakeSourceContext();
    expect(await readSettledFile(ctx, "/nope", { emptyMayBeTransient: true })).toBeNull();
  });
});
