import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import type { CommandResult } from "../runCommand.js";
import { BRIDGE_FDB_REFRESH_MS, collectBridgeFdb, createBridgeFdbSource } from "./bridgeFdbSource.js";

const FDB =
  '[{"mac":"00:1b:11:20:dc:2c","ifname":"lan1","flags":[],"master":"br-lan","state":""},' +
  '{"mac":"zz","ifname":"lan1","flags":[],"master":"br-lan","state":""}]\n';

describe("bridge-fdb source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("returns the entries as bridgeFdb records, skipping bad rows", async () => {
    ctx = fakeSourceContext(() => ({ status: "ok", stdout: FDB }));
    const outcome = await collectBridgeFdb(ctx);
    expect(outcome).toEqual({
      status: "ok",
      records: {
        bridgeFdb: [
          {
            mac: "00:1b:11:20:dc:2c",
            interface: "lan1",
            bridge: "br-lan",
            vlan: null,
            permanent: false,
            self: false,
          },
        ],
      },
      skipped: [expect.objectContaining({ line: 1, reason: "row 2: mac is not a hardware address" })],
    });
    expect(ctx.commands).toEqual(["bridge -j fdb show"]);
    const source = createBridgeFdbSource();
    expect(source.name).toBe("bridge-fdb");
    expect(await source.collect(ctx)).toEqual(outcome);
  });

  it("is absent where there is no bridge binary (BusyBox)", async () => {
    ctx = fakeSourceContext();
    const source = createBridgeFdbSource();
    expect(await source.detect(ctx)).toBe(false);
    expect(await collectBridgeFdb(ctx)).toEqual({ status: "absent", reason: "bridge is not installed" });
  });

  it("reports output that is not a JSON array as an error", async () => {
    ctx = fakeSourceContext(() => ({ status: "ok", stdout: "00:1b:11:20:dc:2c dev lan1 master br-lan \n" }));
    expect(await collectBridgeFdb(ctx)).toEqual({
      status: "error",
      error: "bridge fdb output: expected a JSON array",
    });
  });

  it("reads the table again only after its interval, reporting the remembered one as fresh", async () => {
    ctx = fakeSourceContext(() => ({ status: "ok", stdout: FDB }));
    const T0 = ctx.now();
    let now = T0;
    const clocked = { ...ctx, now: () => now };
    const source = createBridgeFdbSource();
    const first = await source.collect(clocked);
    expect(first.status).toBe("ok");
    now = T0 + 5_000;
    expect(await source.collect(clocked)).toEqual(first);
    expect(ctx.commands).toHaveLength(1);
    // The first table lives half the interval (so its refreshes fall between the Wi-Fi source's), then the interval.
    now = T0 + BRIDGE_FDB_REFRESH_MS / 2;
    await source.collect(clocked);
    expect(ctx.commands).toHaveLength(2);
    now = T0 + BRIDGE_FDB_REFRESH_MS / 2 + BRIDGE_FDB_REFRESH_MS - 1;
    await source.collect(clocked);
    expect(ctx.commands).toHaveLength(2);
    now += 1;
    expect(await source.collect(clocked)).toEqual(first);
    expect(ctx.commands).toHaveLength(3);
    // A clock stepped backwards cannot keep the table: it is read again.
    now = T0;
    await source.collect(clocked);
    expect(ctx.commands).toHaveLength(4);
  });

  it("does not remember a failure: the next cycle runs the command again", async () => {
    let answer: CommandResult = { status: "error", error: "bridge timed out after 5000 ms" };
    ctx = fakeSourceContext(() => answer);
    const source = createBridgeFdbSource();
    expect(await source.collect(ctx)).toEqual({ status: "error", error: "bridge timed out after 5000 ms" });
    answer = { status: "ok", stdout: "00:1b:11:20:dc:2c dev lan1 master br-lan \n" };
    expect((await source.collect(ctx)).status).toBe("error");
    answer = { status: "ok", stdout: FDB };
    expect((await source.collect(ctx)).status).toBe("ok");
    expect(ctx.commands).toHaveLength(3);
    answer = { status: "error", error: "must not run" };
    expect((await source.collect(ctx)).status).toBe("ok");
    expect(ctx.commands).toHaveLength(3);
  });
});
