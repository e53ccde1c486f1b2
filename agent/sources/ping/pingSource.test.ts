import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { runCommand } from "../runCommand.js";
import { createPingSource } from "./pingSource.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures/ping", name), "utf8");
const ROUTE =
  "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nwan\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\n";

function hasPing(): boolean {
  try {
    execFileSync("ping", ["-V"], { stdio: "ignore" });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

describe("ping source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("measures the WAN gateway and configured targets; no answer is a result, not an error", async () => {
    ctx = fakeSourceContext((command, args) => {
      if (command !== "ping") return { status: "absent", reason: `${command} is not installed` };
      if (args.at(-1) === "192.168.1.1") return { status: "ok", stdout: fixture("busybox-gateway.txt") };
      return { status: "error", error: "ping failed", stdout: fixture("iputils-host-unreachable.txt") };
    });
    ctx.write("/proc/net/route", ROUTE);
    const outcome = await createPingSource({ targets: ["192.0.2.99"] }).collect(ctx);
    expect(ctx.commands).toEqual(["ping -c 3 -W 1 192.168.1.1", "ping -c 3 -W 1 192.0.2.99"]);
    expect(outcome.status === "ok" && outcome.records.lineQuality).toEqual([
      expect.objectContaining({
        target: "192.168.1.1",
        sent: 10,
        received: 10,
        lossPercent: 0,
        rttAvgMs: 0.08,
      }),
      expect.objectContaining({ target: "192.0.2.99", received: 0, lossPercent: 100 }),
    ]);
  });

  it("is absent without a route or targets", async () => {
    ctx = fakeSourceContext();
    expect(await createPingSource().collect(ctx)).toMatchObject({ status: "absent" });
  });

  it.runIf(hasPing() || process.env.CI === "true")("runs the system ping against loopback", async () => {
    ctx = fakeSourceContext((command, args) => {
      throw new Error(`unexpected ${command} ${args.join(" ")}`);
    });
    const real = {
      ...ctx,
      runCommand: (c: string, a: readonly string[]) => runCommand(c, a, { timeoutMs: 10_000 }),
    };
    const outcome = await createPingSource({ targets: ["127.0.0.1"] }).collect(real);
    expect(outcome.status === "ok" && outcome.records.lineQuality?.[0]).toMatchObject({
      target: "127.0.0.1",
      sent: 3,
      received: 3,
      lossPercent: 0,
    });
  });
});
