import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "./fakeSourceContext.js";
import { createProcNetDevSource } from "./procNetDevSource.js";

const DEV =
  "Inter-|   Receive                                                |  Transmit\n" +
  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
  "    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0\n";

describe("proc-net-dev source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("reads /proc/net/dev below the root", async () => {
    ctx = fakeSourceContext();
    ctx.write("/proc/net/dev", DEV);
    const source = createProcNetDevSource();
    expect(source.name).toBe("proc-net-dev");
    expect(await source.detect(ctx)).toBe(true);
    expect(await source.collect(ctx)).toEqual({
      status: "ok",
      records: {
        interfaces: [
          {
            name: "lo",
            rxBytes: 3193,
            txBytes: 3193,
            rxPackets: 29,
            txPackets: 29,
            rxErrors: 0,
            txErrors: 0,
            rxDropped: 0,
            txDropped: 0,
          },
        ],
      },
      skipped: [],
    });
  });

  it("is absent without the file", async () => {
    ctx = fakeSourceContext();
    expect(await createProcNetDevSource().detect(ctx)).toBe(false);
    expect(await createProcNetDevSource().collect(ctx)).toEqual({
      status: "absent",
      reason: "/proc/net/dev does not exist",
    });
  });
});
