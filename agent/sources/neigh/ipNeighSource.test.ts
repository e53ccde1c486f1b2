import { afterEach, describe, expect, it } from "vitest";
import {
  type CommandHandler,
  type FakeSourceContext,
  fakeSourceContext,
} from "../netdev/fakeSourceContext.js";
import { createIpNeighSource } from "./ipNeighSource.js";

const JSON_OUT =
  '[{"dst":"192.168.1.23","dev":"br-lan","lladdr":"00:1b:11:20:dc:2c","state":["REACHABLE"]}]\n';
const TEXT_OUT = "192.168.1.23 dev br-lan lladdr 00:1b:11:20:dc:2c ref 1 used 0/0/0 probes 0 REACHABLE\n";
const NEIGHBOR = {
  ip: "192.168.1.23",
  mac: "00:1b:11:20:dc:2c",
  interface: "br-lan",
  state: "reachable",
  bridgePort: null,
};

/** runCommand's message for a non-zero exit: the command line, then the first line of stderr. */
const failed = (stderr: string): ReturnType<CommandHandler> => ({
  status: "error",
  error: `ip -j neigh show failed: ${stderr}`,
});

describe("ip-neigh source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("parses `ip -j neigh show`", async () => {
    ctx = fakeSourceContext(() => ({ status: "ok", stdout: JSON_OUT }));
    const source = createIpNeighSource();
    expect(source.name).toBe("ip-neigh");
    expect(await source.collect(ctx)).toEqual({
      status: "ok",
      records: { neighbors: [NEIGHBOR] },
      skipped: [],
    });
    expect(ctx.commands).toEqual(["ip -j neigh show"]);
  });

  it("falls back to text when BusyBox ip rejects -j with its usage banner", async () => {
    ctx = fakeSourceContext((_command, args) =>
      args[0] === "-j"
        ? failed("BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.")
        : { status: "ok", stdout: TEXT_OUT },
    );
    expect(await createIpNeighSource().collect(ctx)).toEqual({
      status: "ok",
      records: { neighbors: [NEIGHBOR] },
      skipped: [],
    });
    expect(ctx.commands).toEqual(["ip -j neigh show", "ip neigh show"]);
  });

  it("falls back to text when old iproute2 does not know -j", async () => {
    ctx = fakeSourceContext((_command, args) =>
      args[0] === "-j"
        ? failed('Option "-j" is unknown, try "ip -help".')
        : { status: "ok", stdout: TEXT_OUT },
    );
    expect((await createIpNeighSource().collect(ctx)).status).toBe("ok");
    expect(ctx.commands).toHaveLength(2);
  });

  it("parses text when ip ignores -j and prints text", async () => {
    ctx = fakeSourceContext(() => ({ status: "ok", stdout: TEXT_OUT }));
    expect(await createIpNeighSource().collect(ctx)).toEqual({
      status: "ok",
      records: { neighbors: [NEIGHBOR] },
      skipped: [],
    });
    expect(ctx.commands).toEqual(["ip -j neigh show"]);
  });

  it("reports other failures as errors without retrying", async () => {
    ctx = fakeSourceContext(() => failed("RTNETLINK answers: Operation not permitted"));
    expect(await createIpNeighSource().collect(ctx)).toEqual({
      status: "error",
      error: "ip -j neigh show failed: RTNETLINK answers: Operation not permitted",
    });
    expect(ctx.commands).toHaveLength(1);
    ctx.cleanup();
    ctx = fakeSourceContext(() => ({ status: "error", error: "ip timed out after 5000 ms" }));
    expect((await createIpNeighSource().collect(ctx)).status).toBe("error");
  });

  it("is absent when ip is not installed", async () => {
    ctx = fakeSourceContext();
    const source = createIpNeighSource();
    expect(await source.detect(ctx)).toBe(false);
    expect(await source.collect(ctx)).toEqual({ status: "absent", reason: "ip is not installed" });
  });
});
