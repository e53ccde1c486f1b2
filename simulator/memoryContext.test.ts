import { afterEach, describe, expect, it } from "vitest";
import { createConntrackSource } from "../agent/sources/conntrack/conntrackSource.js";
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
      ...gateway.radios.flatMap(
        (r): Array<[string, string[]]> => [
          ["iw", ["dev", r.iface, "station", "dump"]],
          ["iw", ["dev", r.iface, "survey", "dump"]],
        ],
      ),
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
    await gateway.stop();
  });

  for (const leaseFormat of ["dnsmasq", "kea"] as const) {
    it(`serves the router's identity and addresses like the files and scripts (${leaseFormat} gateway)`, async () => {
      const dir = tempDir("memctx-identity");
      dirs.push(dir);
      const gateway = new SimulatedGateway({
        root: dir.path,
        gatewayId: "gw-id",
        devices: 6,
        seed: 8,
        leaseFormat,
        realtime: false,
      });
      await gateway.start();
      gateway.advance(10 * 60_000);
      const root = `${dir.path}/gw-id`;
      const onDisk = createSystemContext({ root, commandTimeoutMs: 5000, commandDirs: [`${root}/bin`] });
      const inMemory = simulatedGatewayContext(gateway);
      const openwrt = leaseFormat === "dnsmasq";
      for (const file of [
        "/etc/openwrt_release",
        "/etc/os-release",
        "/usr/lib/os-release",
        "/etc/debian_version",
        "/proc/sys/kernel/hostname",
        "/proc/sys/kernel/osrelease",
      ]) {
        expect(await inMemory.readSystemFile(file), file).toBe(await onDisk.readSystemFile(file));
      }
      // Each flavour has its own release file.
      expect(
        await onDisk.readSystemFile(openwrt ? "/etc/debian_version" : "/etc/openwrt_release"),
      ).toBeNull();
      const commands: Array<[string, string[]]> = [
        ["ubus", ["call", "system", "board"]],
        ["ubus", ["list"]],
        ["ubus", []],
        ["ip", ["-j", "addr", "show", "dev", "eth1"]],
        ["ip", ["-j", "addr"]],
        ["ip", ["-j", "addr", "show"]],
        ["ip", ["-json", "a", "show", "br-lan"]],
        ["ip", ["-j", "address", "list", "dev", "lo"]],
        ["ip", ["-j", "addr", "show", "dev", "eth9"]],
        ["ip", ["-j", "addr", "show", "dev", "../clock"]],
        ["ip", ["addr"]],
        ["ip", ["-j", "-4", "addr"]],
        ["ip", ["-j", "addr", "show", "dev", "eth1", "up"]],
      ];
      for (const [command, args] of commands) {
        const real = await onDisk.runCommand(command, args);
        expect(await inMemory.runCommand(command, args), `${command} ${args.join(" ")}`).toEqual(real);
      }
      const board = await onDisk.runCommand("ubus", ["call", "system", "board"]);
      if (openwrt) expect(board.status === "ok" && board.stdout).toMatch(/^\{\n\t"kernel": "/);
      else expect(board.status).toBe("absent");
      const eth1 = await onDisk.runCommand("ip", ["-j", "addr", "show", "dev", "eth1"]);
      expect(eth1.status === "ok" && eth1.stdout).toContain(`"local":"${gateway.wanIp}"`);
      expect(await onDisk.runCommand("ip", ["-j", "addr", "show", "dev", "eth9"])).toMatchObject({
        status: "error",
        error: expect.stringContaining('Device "eth9" does not exist.'),
      });
      await gateway.stop();
    });
  }

  // The agent's own invocations plus what a person might type; every answer, failures included, byte for byte.
  const pingTargets = (gw: SimulatedGateway) => [
    gw.wanGatewayIp,
    "8.8.8.8",
    "1.1.1.1",
    "2001:db8:beef::1",
    "dns.example.net",
    "nosuchhost.invalid",
    "bad$host",
  ];
  for (const leaseFormat of ["dnsmasq", "isc-dhcpd"] as const) {
    it(`runs nlbw, conntrack and ping like the bin/ scripts (${leaseFormat} gateway)`, async () => {
      const dir = tempDir("memctx-traffic");
      dirs.push(dir);
      const gateway = new SimulatedGateway({
        root: dir.path,
        gatewayId: "gw-trf",
        devices: 12,
        seed: 4,
        leaseFormat,
        realtime: false,
      });
      await gateway.start();
      gateway.advance(15 * 60_000);
      const root = `${dir.path}/gw-trf`;
      const onDisk = createSystemContext({ root, commandTimeoutMs: 5000, commandDirs: [`${root}/bin`] });
      const inMemory = simulatedGatewayContext(gateway);
      expect(await inMemory.readSystemFile("/proc/net/nf_conntrack")).toBe(
        await onDisk.readSystemFile("/proc/net/nf_conntrack"),
      );
      const commands: Array<[string, string[]]> = [
        ["nlbw", ["-c", "json"]],
        ["nlbw", ["-c", "csv"]],
        ["nlbw", ["-c", "json", "-g", "host"]],
        ["nlbw", ["-c", "show"]],
        ["conntrack", ["-L", "-o", "extended"]],
        ["conntrack", ["-L"]],
        ["conntrack", ["-F"]],
        ["ping", ["-V"]],
        ["ping", ["-c", "5", "-W", "1", "8.8.8.8"]],
        ...pingTargets(gateway).map((t): [string, string[]] => ["ping", ["-c", "3", "-W", "1", t]]),
      ];
      const absent: string[] = [];
      for (const [command, args] of commands) {
        const real = await onDisk.runCommand(command, args);
        const memory = await inMemory.runCommand(command, args);
        expect(memory, `${command} ${args.join(" ")}`).toEqual(real);
        if (real.status === "absent") absent.push(command);
      }
      // Each flavour has its own tools: nlbw on OpenWrt, conntrack on Debian-style gateways, ping on both.
      const openwrt = leaseFormat === "dnsmasq";
      expect([...new Set(absent)]).toEqual([openwrt ? "conntrack" : "nlbw"]);
      const listed = await onDisk.runCommand(
        openwrt ? "nlbw" : "conntrack",
        openwrt ? ["-c", "json"] : ["-L", "-o", "extended"],
      );
      expect(listed.status === "ok" && listed.stdout.length).toBeGreaterThan(500);
      if (!openwrt) {
        // The conntrack source also learns the LAN (`ip -j addr show`, /proc/net/route): the same either way.
        const fromDisk = await createConntrackSource().collect(onDisk);
        expect(await createConntrackSource().collect(inMemory)).toEqual(fromDisk);
        const traffic = fromDisk.status === "ok" ? (fromDisk.records.traffic ?? []) : [];
        expect(traffic.some((t) => t.ip?.startsWith("2001:db8:"))).toBe(true);
      }
      const wan = await onDisk.runCommand("ping", ["-c", "3", "-W", "1", gateway.wanGatewayIp]);
      expect(wan.status === "ok" && wan.stdout).toMatch(
        openwrt ? /: 56 data bytes\n.* seq=0 /s : /56\(84\) bytes of data\.\n.*icmp_seq=1 /s,
      );
      await gateway.stop();
    });
  }
});
