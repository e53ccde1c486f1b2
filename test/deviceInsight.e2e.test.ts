/**
 * Device insight through the real parts: the `leaseline agent` CLI reading a gateway root with
 * dnsmasq leases, OpenWrt's `ubus`, `nlbw` and iputils `ping` (small scripts printing their real
 * formats), procfs and the WAN interface, plus the DHCP hook bringing a client's fingerprint;
 * a collector (real aedes, real SQLite); and `leaseline query devices|gateway` showing each
 * device's type and traffic and the router's identity, line quality and agent health.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHook } from "../agent/hooks/hookTestHelpers.js";
import { type Collector, startCollector } from "../collector/runCollector.js";
import type { GatewayDetail } from "../collector/store/supportQueries.js";
import { silentLogger } from "../common/logger.js";
import { requireBuiltCli, runCli, spawnCli, stopProcess, tempDir, waitFor } from "./helpers.js";

const GATEWAY = "gw-insight";
const PHONE = "00:11:22:33:44:55";
const TV = "a8:23:fe:01:02:03";
const ANDROID_PRL = "1,3,6,15,26,28,51,58,59,43,114,108";
const FIXTURES = join(import.meta.dirname, "../fixtures");

describe("device insight: agent → collector → query", () => {
  const dir = tempDir("insight-e2e");
  const root = join(dir.path, "gateway");
  const spool = join(dir.path, "spool");
  const db = join(dir.path, "collector.db");
  let collector: Collector;
  let agent: ReturnType<typeof spawnCli>;

  const file = (path: string, text: string, mode?: number) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
    if (mode !== undefined) chmodSync(join(root, path), mode);
  };
  const query = async <T>(...args: string[]): Promise<T> => {
    const result = await runCli(["query", ...args, "--db", db, "--json"]);
    if (result.code !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout) as T;
  };
  type Device = Record<string, unknown> & { mac: string; typeSignals: Array<{ rule: string }> };
  const device = async (mac: string) =>
    (await query<Device[]>("devices", GATEWAY)).find((d) => d.mac === mac);

  beforeAll(async () => {
    requireBuiltCli();
    const expiry = Math.floor(Date.now() / 1000) + 3600;
    file(
      "tmp/dhcp.leases",
      `${expiry} ${PHONE} 192.168.1.142 * *\n${expiry} ${TV} 192.168.1.156 LGwebOSTV *\n`,
    );
    file("proc/sys/kernel/random/boot_id", "6c0ffee0-0000-4000-8000-000000000001\n");
    // The agent runs a gateway's commands with only the root's bin directories on PATH: each script sets its own.
    file("proc/loadavg", "0.42 0.30 0.25 1/123 4567\n");
    file(
      "proc/meminfo",
      "MemTotal:         250000 kB\nMemFree:           90000 kB\nMemAvailable:     180000 kB\n",
    );
    file(
      "proc/net/route",
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
        "eth1\t00000000\t017100CB\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
    );
    file("sys/class/net/eth1/address", "94:83:c4:00:11:22\n");
    // OpenWrt's generated dnsmasq configuration: a LAN pool, and a one-address pool the TV holds.
    file(
      "var/etc/dnsmasq.conf.cfg01411c",
      "dhcp-leasefile=/tmp/dhcp.leases\n" +
        "dhcp-range=set:lan,192.168.1.140,192.168.1.149,255.255.255.0,12h\n" +
        "dhcp-range=set:tv,192.168.1.156,192.168.1.156,255.255.255.0,12h\n",
    );
    const board = readFileSync(join(FIXTURES, "ubus-system-board/openwrt-23.05-ramips.json"), "utf8");
    file("bin/ubus", `#!/bin/sh\nPATH=/usr/bin:/bin\ncat <<'EOF'\n${board}\nEOF\n`, 0o755);
    file(
      "bin/ip",
      `#!/bin/sh
if [ "$2" = addr ]; then
  echo '[{"ifname":"eth1","addr_info":[{"family":"inet","local":"203.0.113.7","scope":"global"},{"family":"inet6","local":"2001:db8::7","scope":"global"},{"family":"inet6","local":"fe80::1","scope":"link"}]}]'
else
  echo '[]'
fi
`,
      0o755,
    );
    // nlbwmon's JSON: the phone downloads ~100 kB/s and uploads ~10 kB/s, counted from the epoch.
    file(
      "bin/nlbw",
      `#!/bin/sh
PATH=/usr/bin:/bin
t=$(date +%s)
printf '{"columns":["mac","ip","conns","rx_bytes","rx_pkts","tx_bytes","tx_pkts"],"data":[["${PHONE}","192.168.1.142",12,%s,%s,%s,%s]]}' $((t * 100000)) $((t * 80)) $((t * 10000)) $((t * 20))
`,
      0o755,
    );
    const pingOutput = readFileSync(join(FIXTURES, "ping/iputils-gateway.txt"), "utf8").replaceAll(
      "192.168.1.1",
      "203.0.113.1",
    );
    file(
      "bin/ping",
      `#!/bin/sh\nPATH=/usr/bin:/bin\n[ "$1" = -V ] && { echo 'ping from iputils 20221126'; exit 0; }\ncat <<'EOF'\n${pingOutput}EOF\n`,
      0o755,
    );
    collector = await startCollector({ db, listen: "mqtt://127.0.0.1:0", log: silentLogger() });
    agent = spawnCli([
      ...["agent", "--gateway-id", GATEWAY, "--broker", `mqtt://127.0.0.1:${collector.broker.port}`],
      ...["--root", root, "--interval", "0.5", "--state-dir", join(dir.path, "state"), "--hook-spool", spool],
    ]);
  });

  afterAll(async () => {
    if (agent) await stopProcess(agent);
    await collector?.close();
    dir.remove();
  });

  it("query devices: each device's type, and the phone's traffic from nlbwmon", async () => {
    await waitFor("both devices stored", async () => (await device(TV)) && (await device(PHONE)), 15_000);
    expect(await device(TV)).toMatchObject({ deviceType: "tv", vendor: expect.stringMatching(/LG/) });
    // The hook hands the phone's DHCP request to the agent: vendor class and parameter request list.
    const hook = runHook(["sh"], spool, ["add", PHONE, "192.168.1.142"], {
      DNSMASQ_VENDOR_CLASS: "android-dhcp-13",
      DNSMASQ_REQUESTED_OPTIONS: ANDROID_PRL,
    });
    expect(hook.status).toBe(0);
    const phone = await waitFor(
      "the phone classified from its fingerprint, with a download rate",
      async () => {
        const d = await device(PHONE);
        return d?.deviceType === "phone" && typeof d.downloadBytesPerSecond === "number" ? d : null;
      },
      15_000,
    );
    expect(phone).toMatchObject({
      vendorClass: "android-dhcp-13",
      requestedOptions: ANDROID_PRL,
      trafficSource: "nlbwmon",
    });
    expect(phone.typeSignals.map((s) => s.rule)).toContain("prl-android");
    // ~100 kB/s down, ~10 kB/s up (the script's counters step once a second; readings are 0.5 s apart).
    await waitFor(
      "a lease total",
      async () => Number((await device(PHONE))?.downloadBytesThisLease) >= 100_000,
    );
    const later = await device(PHONE);
    expect(Number(later?.downloadBytesThisLease)).toBeGreaterThan(Number(later?.uploadBytesThisLease));
    const table = await runCli(["query", "devices", GATEWAY, "--db", db]);
    expect(table.stdout.split("\n")[0]).toMatch(/^mac\s+type\s+vendor\s+ip\s+hostname\s+link/);
    expect(table.stdout).toMatch(/00:11:22:33:44:55\s+phone/);
    expect(table.stdout).toMatch(/a8:23:fe:01:02:03\s+tv\s+LG/);
    expect(Math.max(...table.stdout.split("\n").map((l) => l.length))).toBeLessThanOrEqual(120);
  });

  it("query gateway: router identity, DHCP pools, line quality and the agent's health", async () => {
    const detail = await waitFor(
      "router, line quality and health stored",
      async () => {
        const d = await query<GatewayDetail>("gateway", GATEWAY);
        return d.router && d.lineQuality.length > 0 && d.agentHealth ? d : null;
      },
      15_000,
    );
    expect(detail.router).toMatchObject({
      model: "Xiaomi Mi Router 4A Gigabit Edition",
      firmware: "OpenWrt 23.05.3 r23809-234f1a2efa",
      wanInterface: "eth1",
      wanMac: "94:83:c4:00:11:22",
      wanIpv4: ["203.0.113.7"],
      wanIpv6: ["2001:db8::7"],
      load1: 0.42,
      memTotalBytes: 256_000_000,
      dhcpPools: [
        { name: "lan", start: "192.168.1.140", end: "192.168.1.149", size: 10, leased: 1, full: false },
        { name: "tv", start: "192.168.1.156", end: "192.168.1.156", size: 1, leased: 1, full: true },
      ],
    });
    expect(detail.lineQuality[0]).toMatchObject({ target: "203.0.113.1", lossPercent: 0, rttAvgMs: 0.075 });
    expect(detail.agentHealth?.connections).toBe(1);
    const text = await runCli(["query", "gateway", GATEWAY, "--db", db]);
    expect(text.stdout).toMatch(/router mac\s+94:83:c4:00:11:22/);
    expect(text.stdout).toMatch(/wan ipv4\s+203\.0\.113\.7/);
    expect(text.stdout).toMatch(/dhcp pool lan\s+192\.168\.1\.140 - 192\.168\.1\.149: 1 of 10 leased\n/);
    expect(text.stdout).toMatch(/dhcp pool tv\s+192\.168\.1\.156 - 192\.168\.1\.156: 1 of 1 leased \(FULL/);
    expect(text.stdout).toMatch(/line quality\ntarget\s+address/);
    expect(text.stdout).toMatch(/sources ok\s+.*nlbw/);
  });
});
