import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { createIscDhcpdSource } from "./iscDhcpdSource.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures/isc-dhcpd", name), "utf8");

describe("isc-dhcpd source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("reads the DHCPv4 and DHCPv6 lease files below the root", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/dhcp/dhcpd.leases", fixture("debian-4.4-failover.leases"));
    ctx.write("/var/lib/dhcp/dhcpd6.leases", fixture("dhcpd6-ubuntu.leases"));
    const source = createIscDhcpdSource();
    expect(source.name).toBe("isc-dhcpd");
    expect(await source.detect(ctx)).toBe(true);
    const outcome = await source.collect(ctx);
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    expect(outcome.records.leases?.map((l) => l.ip)).toEqual([
      "192.168.1.10",
      "192.168.1.15",
      "192.168.1.16",
      "192.168.1.14",
      "2001:db8:0:1::1a2",
      "2001:db8:0:1::7e",
      "2001:db8:0:1:8d2c:11f0:3e9a:41b7",
      "2001:db8:0:1::c8",
    ]);
    expect(outcome.skipped).toEqual([]);
  });

  it("reads the pools of the files dhcpd.conf includes, each once", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/dhcp/dhcpd.leases", fixture("debian-4.4-failover.leases"));
    ctx.write(
      "/etc/dhcp/dhcpd.conf",
      readFileSync(join(import.meta.dirname, "../../../fixtures/isc-dhcpd-conf/includes.conf"), "utf8"),
    );
    ctx.write(
      "/etc/dhcp/subnet-lan.conf",
      "subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.50 192.168.1.150; }\n",
    );
    ctx.write(
      "/etc/dhcp/subnet-guest.conf",
      'subnet 192.168.2.0 netmask 255.255.255.0 { range 192.168.2.10 192.168.2.90; }\ninclude "/etc/dhcp/subnet-lan.conf";\n',
    );
    const outcome = await createIscDhcpdSource().collect(ctx);
    if (outcome.status !== "ok") throw new Error(outcome.status);
    expect(outcome.records.dhcpPools).toEqual([
      { name: null, start: "10.9.0.10", end: "10.9.0.20" },
      { name: null, start: "192.168.1.50", end: "192.168.1.150" },
      { name: null, start: "192.168.2.10", end: "192.168.2.90" },
    ]);
    expect(outcome.skipped.map((s) => `${s.text}: ${s.reason}`)).toEqual([
      '/etc/dhcp/dhcpd.conf: include "relative.conf": include path is not absolute: not followed',
      "/etc/dhcp/split-over-lines.conf: included by /etc/dhcp/dhcpd.conf, not found",
    ]);
  });

  it("reads OpenBSD's /var/db path and names the file in skipped lines", async () => {
    ctx = fakeSourceContext();
    ctx.write(
      "/var/db/dhcpd.leases",
      `${fixture("openbsd.leases")}lease 10.0.0.99 {\n\tstarts 6 2024/11/23 11:05:00;\n`,
    );
    const outcome = await createIscDhcpdSource().collect(ctx);
    expect(outcome).toEqual({
      status: "ok",
      records: {
        leases: [expect.objectContaining({ ip: "10.0.0.20" }), expect.objectContaining({ ip: "10.0.0.21" })],
      },
      skipped: [
        expect.objectContaining({
          line: 23,
          reason: "/var/db/dhcpd.leases: unterminated lease block (file cut off or being written)",
        }),
      ],
    });
  });

  it("uses only the configured paths", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/dhcp/dhcpd.leases", fixture("openbsd.leases"));
    ctx.write("/srv/dhcp/leases", fixture("escaped-ids-and-hostnames.leases"));
    const outcome = await createIscDhcpdSource({ paths: ["/srv/dhcp/leases"] }).collect(ctx);
    expect(outcome.status === "ok" && outcome.records.leases?.map((l) => l.ip)).toEqual([
      "192.168.1.30",
      "192.168.1.31",
      "192.168.1.32",
      "192.168.1.33",
    ]);
  });

  it("is absent when no lease file exists", async () => {
    ctx = fakeSourceContext();
    const source = createIscDhcpdSource();
    expect(await source.detect(ctx)).toBe(false);
    expect(await source.collect(ctx)).toEqual({
      status: "absent",
      reason: expect.stringContaining("no dhcpd lease file"),
    });
  });

  it("reports a file that is not a lease database as an error, not as every lease ended", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/dhcp/dhcpd.leases", "\u0000".repeat(64));
    expect(await createIscDhcpdSource().collect(ctx)).toEqual({
      status: "error",
      error: "/var/lib/dhcp/dhcpd.leases: not a dhcpd lease database",
    });
  });

  it("reports an unreadable path as an error", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/dhcp/dhcpd.leases/oops", "a directory where the file should be");
    expect((await createIscDhcpdSource().collect(ctx)).status).toBe("error");
  });
});
