import { afterEach, describe, expect, it } from "vitest";
import { MAX_DHCP_POOLS, topicFor, validateMessage } from "../../../protocol/index.js";
import { snapshot } from "../../../test/messages.js";
import { DHCP_POOLS_REFRESH_MS, MAX_CONFIG_FILES } from "../dhcpPoolConfig.js";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { createDnsmasqSource } from "./dnsmasqSource.js";

const LEASE = "1732363600 00:1b:11:20:dc:2c 192.168.1.142 laptop *\n";

describe("dnsmasq source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("reads the leases, and the pools of OpenWrt's generated configuration", async () => {
    ctx = fakeSourceContext();
    ctx.write("/tmp/dhcp.leases", LEASE);
    ctx.write(
      "/var/etc/dnsmasq.conf.cfg01411c",
      "dhcp-range=set:lan,192.168.1.100,192.168.1.249,255.255.255.0,12h\n",
    );
    ctx.write("/var/etc/firewall.include", "dhcp-range=set:no,10.0.0.1,10.0.0.9\n");
    const outcome = await createDnsmasqSource().collect(ctx);
    expect(outcome).toMatchObject({
      status: "ok",
      records: {
        leases: [{ mac: "00:1b:11:20:dc:2c", ip: "192.168.1.142" }],
        dhcpPools: [{ name: "lan", start: "192.168.1.100", end: "192.168.1.249" }],
      },
      skipped: [],
    });
  });

  it("reads Debian's dnsmasq.conf and dnsmasq.d, each pool once, without the package manager's leftovers", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/misc/dnsmasq.leases", LEASE);
    ctx.write("/etc/dnsmasq.conf", "dhcp-range=192.168.1.100,192.168.1.199,12h\ndhcp-range=192.168.9.9\n");
    ctx.write("/etc/dnsmasq.d/guest.conf", "dhcp-range=set:guest,192.168.2.10,192.168.2.50\n");
    ctx.write("/etc/dnsmasq.d/same.conf", "dhcp-range=192.168.1.100,192.168.1.199,1h\n");
    ctx.write("/etc/dnsmasq.d/old.conf.dpkg-old", "dhcp-range=10.1.1.1,10.1.1.9\n");
    ctx.write("/etc/dnsmasq.d/backup.conf~", "dhcp-range=10.2.2.1,10.2.2.9\n");
    const outcome = await createDnsmasqSource().collect(ctx);
    expect(outcome).toMatchObject({
      status: "ok",
      records: {
        dhcpPools: [
          { name: null, start: "192.168.1.100", end: "192.168.1.199" },
          { name: "guest", start: "192.168.2.10", end: "192.168.2.50" },
        ],
      },
      skipped: [
        {
          line: 2,
          reason: "dhcp-range without an IPv4 end address",
          text: "/etc/dnsmasq.conf: dhcp-range=192.168.9.9",
        },
      ],
    });
  });

  it("follows conf-file and conf-dir as dnsmasq does: each file once, a directory's by its suffixes", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/misc/dnsmasq.leases", LEASE);
    ctx.write(
      "/etc/dnsmasq.conf",
      [
        "conf-file=/etc/dnsmasq.lan.conf",
        "conf-dir=/srv/pools,*.conf",
        "conf-file=/etc/dnsmasq.conf", // itself: read once
        "conf-file=/etc/dnsmasq.gone.conf",
        "conf-dir=/etc/dnsmasq.d/,*.conf", // Debian's own directory, which the source reads anyway
        "",
      ].join("\n"),
    );
    ctx.write("/etc/dnsmasq.d/wired.conf", "dhcp-range=set:wired,192.168.4.10,192.168.4.20\n");
    ctx.write(
      "/etc/dnsmasq.lan.conf",
      "dhcp-range=set:lan,192.168.1.100,192.168.1.199\nconf-dir=/srv/more,.bak\n",
    );
    ctx.write("/srv/more/a.bak", "dhcp-range=10.0.0.1,10.0.0.9\n");
    ctx.write("/srv/more/b", "dhcp-range=set:iot,192.168.3.10,192.168.3.20\n");
    ctx.write(
      "/srv/pools/guest.conf",
      "dhcp-range=set:guest,192.168.2.10,192.168.2.50\nconf-file=/etc/dnsmasq.lan.conf\n",
    );
    ctx.write("/srv/pools/notes.txt", "dhcp-range=10.0.1.1,10.0.1.9\n");
    ctx.write("/srv/pools/.hidden.conf", "dhcp-range=10.0.2.1,10.0.2.9\n");
    ctx.write("/srv/pools/sub.conf/x", ""); // a directory: passed over, as dnsmasq does
    const reads: string[] = [];
    const counting = {
      ...ctx,
      readSystemFile: (path: string) => {
        reads.push(path.replaceAll(/\/+/g, "/"));
        return ctx.readSystemFile(path);
      },
    };
    const outcome = await createDnsmasqSource().collect(counting);
    expect(reads.filter((path, i) => reads.indexOf(path) !== i)).toEqual([]);
    expect(outcome).toMatchObject({
      status: "ok",
      records: {
        dhcpPools: [
          { name: "lan", start: "192.168.1.100", end: "192.168.1.199" },
          { name: "iot", start: "192.168.3.10", end: "192.168.3.20" },
          { name: "guest", start: "192.168.2.10", end: "192.168.2.50" },
          { name: "wired", start: "192.168.4.10", end: "192.168.4.20" },
        ],
      },
      skipped: [
        { line: 0, reason: "included by /etc/dnsmasq.conf, not found", text: "/etc/dnsmasq.gone.conf" },
      ],
    });
  });

  it("reads at most MAX_CONFIG_FILES configuration files, however many a directory holds", async () => {
    ctx = fakeSourceContext();
    ctx.write("/tmp/dhcp.leases", LEASE);
    ctx.write("/etc/dnsmasq.conf", "conf-dir=/srv/many\n");
    for (let i = 0; i < MAX_CONFIG_FILES + 5; i++) {
      ctx.write(`/srv/many/${String(i).padStart(3, "0")}`, `dhcp-range=10.0.${i}.1,10.0.${i}.9\n`);
    }
    const outcome = await createDnsmasqSource().collect(ctx);
    if (outcome.status !== "ok") throw new Error(outcome.status);
    // dnsmasq.conf itself and the first 63 of the directory.
    expect(outcome.records.dhcpPools).toHaveLength(MAX_CONFIG_FILES - 1);
    expect(outcome.skipped).toEqual([
      {
        line: 0,
        reason: `more than ${MAX_CONFIG_FILES} configuration files: the rest are not read`,
        text: "/srv/many/063",
      },
    ]);
  });

  it("says nothing of pools without a configuration, and reads a new one only after its interval", async () => {
    ctx = fakeSourceContext();
    ctx.write("/tmp/dhcp.leases", LEASE);
    let now = ctx.now();
    const clocked = { ...ctx, now: () => now };
    const source = createDnsmasqSource();
    const pools = async () => {
      const outcome = await source.collect(clocked);
      return outcome.status === "ok" ? outcome.records.dhcpPools : "not ok";
    };
    expect(await pools()).toBeUndefined();
    ctx.write("/var/etc/dnsmasq.conf.cfg01411c", "dhcp-range=set:lan,192.168.1.100,192.168.1.101\n");
    now += DHCP_POOLS_REFRESH_MS - 1;
    expect(await pools()).toBeUndefined();
    now += 1;
    expect(await pools()).toEqual([{ name: "lan", start: "192.168.1.100", end: "192.168.1.101" }]);
  });

  it("reports a configuration it cannot read, and then knows no pools rather than none", async () => {
    ctx = fakeSourceContext();
    ctx.write("/tmp/dhcp.leases", LEASE);
    // A directory where the file should be: reading it fails (EISDIR), as a root-only file would.
    ctx.write("/etc/dnsmasq.conf/x", "");
    const outcome = await createDnsmasqSource().collect(ctx);
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    expect(outcome.records.dhcpPools).toBeUndefined();
    expect(outcome.skipped).toEqual([
      expect.objectContaining({
        line: 0,
        text: "/etc/dnsmasq.conf",
        reason: expect.stringMatching(/^cannot read the configuration: .*EISDIR/),
      }),
    ]);
  });

  it("keeps within the protocol's limits, so the collector never refuses the snapshot for a pool", async () => {
    ctx = fakeSourceContext();
    ctx.write("/tmp/dhcp.leases", LEASE);
    const ranges = Array.from(
      { length: MAX_DHCP_POOLS + 6 },
      (_, i) => `dhcp-range=set:${i === 0 ? "v".repeat(300) : `vlan${i}`},10.${i}.0.10,10.${i}.0.250\n`,
    );
    ctx.write("/etc/dnsmasq.conf", ranges.join(""));
    const outcome = await createDnsmasqSource().collect(ctx);
    if (outcome.status !== "ok") throw new Error(outcome.status);
    const pools = outcome.records.dhcpPools ?? [];
    expect(pools).toHaveLength(MAX_DHCP_POOLS);
    expect(pools[0]).toEqual({ name: null, start: "10.0.0.10", end: "10.0.0.250" });
    expect(outcome.skipped.map((s) => s.reason)).toEqual([
      `more than ${MAX_DHCP_POOLS} pools: the rest are not reported`,
      "pool name longer than 255 characters: left out",
    ]);
    const router = {
      ...{ model: null, board: null, firmware: null, kernel: null, hostname: null, wanInterface: null },
      ...{ wanMac: null, wanAddresses: [], load1: null, memTotalBytes: null, memAvailableBytes: null },
      dhcpPools: pools,
    };
    const message = snapshot({ router });
    expect(validateMessage(topicFor(message.gatewayId, "snapshot"), JSON.stringify(message))).toMatchObject({
      ok: true,
    });
  });
});
