import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { createArpSource } from "./arpSource.js";

const ARP =
  "IP address       HW type     Flags       HW address            Mask     Device\n" +
  "192.168.1.23     0x1         0x2         00:1b:11:20:dc:2c     *        br-lan\n" +
  "192.168.1.300    0x1         0x2         00:1b:11:20:dc:2d     *        br-lan\n";

describe("arp source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("reads /proc/net/arp below the root", async () => {
    ctx = fakeSourceContext();
    ctx.write("/proc/net/arp", ARP);
    const source = createArpSource();
    expect(source.name).toBe("arp");
    expect(await source.detect(ctx)).toBe(true);
    const outcome = await source.collect(ctx);
    expect(outcome).toEqual({
      status: "ok",
      records: {
        neighbors: [
          {
            ip: "192.168.1.23",
            mac: "00:1b:11:20:dc:2c",
            interface: "br-lan",
            state: "stale",
            bridgePort: null,
          },
        ],
      },
      skipped: [expect.objectContaining({ line: 3, reason: "first field is not an IPv4 address" })],
    });
  });

  it("is absent when the file does not exist", async () => {
    ctx = fakeSourceContext();
    const source = createArpSource();
    expect(await source.detect(ctx)).toBe(false);
    expect(await source.collect(ctx)).toEqual({ status: "absent", reason: "/proc/net/arp does not exist" });
  });

  it("reports an unreadable file as an error, not a throw", async () => {
    ctx = fakeSourceContext();
    ctx.write("/proc/net/arp/oops", "a directory where the file should be");
    const outcome = await createArpSource().collect(ctx);
    expect(outcome.status).toBe("error");
  });
});
