import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { collectBridgeFdb, createBridgeFdbSource } from "./bridgeFdbSource.js";

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
});
