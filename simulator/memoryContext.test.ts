import { afterEach, describe, expect, it } from "vitest";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { tempDir } from "../test/helpers.js";
import { SimulatedGateway } from "./gateway.js";
import { simulatedGatewayContext } from "./memoryContext.js";

describe("simulatedGatewayContext", () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it("serves exactly what the gateway writes to disk and what its bin/ scripts print", async () => {
    const dir = tempDir("memctx");
    dirs.push(dir);
    const gateway = new SimulatedGateway({
      root: dir.path,
      gatewayId: "gw-mem",
      devices: 12,
      seed: 3,
      realtime: false,
    });
    await gateway.start();
    gateway.advance(5 * 60_000);
    const root = `${dir.path}/gw-mem`;
    const onDisk = createSystemContext({ root, commandTimeoutMs: 5000, commandDirs: [`${root}/bin`] });
    const inMemory = simulatedGatewayContext(gateway);
    for (const file of [
      "/tmp/dhcp.leases",
      "/proc/net/arp",
      "/proc/net/dev",
      "/proc/uptime",
      "/proc/sys/kernel/random/boot_id",
    ]) {
      expect(await inMemory.readSystemFile(file), file).toBe(await onDisk.readSystemFile(file));
    }
    expect((await inMemory.listSystemDir("/sys/class/net"))?.sort()).toEqual(
      (await onDisk.listSystemDir("/sys/class/net"))?.sort(),
    );
    const commands: Array<[string, string[]]> = [
      ["iw", ["dev"]],
      ["iw", ["dev", "wlan0", "station", "dump"]],
      ["iw", ["dev", "wlan1", "survey", "dump"]],
      ["iw", ["dev", "wlan9", "station", "dump"]],
      ["iw", ["--version"]],
      ["ip", ["-j", "neigh", "show"]],
      ["ip", ["-6", "neigh"]],
      ["ip", ["-V"]],
      ["bridge", ["-j", "fdb", "show"]],
      ["bridge", ["fdb"]],
    ];
    for (const [command, args] of commands) {
      const real = await onDisk.runCommand(command, args);
      const memory = await inMemory.runCommand(command, args);
      expect(memory.status, `${command} ${args.join(" ")}`).toBe(real.status);
      if (real.status === "ok" && memory.status === "ok") expect(memory.stdout).toBe(real.stdout);
    }
    expect(await inMemory.runCommand("ip", ["-x", "neigh"])).toMatchObject({ status: "error" });
    expect(await inMemory.runCommand("ubus", ["list"])).toMatchObject({ status: "absent" });
    await gateway.stop();
  });
});
