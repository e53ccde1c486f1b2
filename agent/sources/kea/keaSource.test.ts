import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_TEXT_INCLUDE_DEPTH } from "../dhcpPoolConfig.js";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { createKeaSource } from "./keaSource.js";
import { keaIncludes } from "./parseKeaPools.js";

const fixture = (folder: string, name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures", folder, name), "utf8");
const H4 =
  "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id";
const row = (ip: string, host: string, valid = 3600) =>
  `${ip},00:11:22:33:44:55,,${valid},${1_732_360_000 + valid},1,0,0,${host},0,,0\n`;

describe("kea source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("reads the v4 and v6 memfiles below the root", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/kea/kea-leases4.csv", fixture("kea4", "kea-2.6-leases4.csv"));
    ctx.write("/var/lib/kea/kea-leases6.csv", fixture("kea6", "kea-2.6-leases6.csv"));
    const source = createKeaSource();
    expect(source.name).toBe("kea");
    expect(await source.detect(ctx)).toBe(true);
    const outcome = await source.collect(ctx);
    expect(outcome.status === "ok" && outcome.records.leases?.map((l) => `${l.family} ${l.ip}`)).toEqual([
      "ipv4 192.168.10.103",
      "ipv4 192.168.10.104",
      "ipv4 192.168.10.105",
      "ipv4 192.168.10.100",
      "ipv6 2001:db8:1::11",
      "ipv6 2001:db8:1:0:8d2c:11f0:3e9a:41b7",
      "ipv6 2001:db8:1::14",
      "ipv6 2001:db8:1::10",
    ]);
  });

  it("merges the cleanup leftovers with the live file", async () => {
    ctx = fakeSourceContext();
    ctx.write(
      "/var/lib/kea/kea-leases4.csv.2",
      `${H4}\n${row("10.0.0.1", "from-2")}${row("10.0.0.2", "gone")}`,
    );
    ctx.write(
      "/var/lib/kea/kea-leases4.csv.1",
      `${H4}\n${row("10.0.0.2", "gone", 0)}${row("10.0.0.3", "from-1")}`,
    );
    ctx.write("/var/lib/kea/kea-leases4.csv", `${H4}\n${row("10.0.0.4", "live")}10.0.0.5,cut`);
    const outcome = await createKeaSource().collect(ctx);
    expect(outcome).toEqual({
      status: "ok",
      records: {
        leases: [
          expect.objectContaining({ ip: "10.0.0.1", hostname: "from-2" }),
          expect.objectContaining({ ip: "10.0.0.3", hostname: "from-1" }),
          expect.objectContaining({ ip: "10.0.0.4", hostname: "live" }),
        ],
      },
      skipped: [
        expect.objectContaining({
          line: 3,
          reason: "/var/lib/kea/kea-leases4.csv: unterminated last line (file was being appended)",
        }),
      ],
    });
  });

  it("counts a set of leftovers without a live file as present", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/kea/kea-leases6.csv.completed", fixture("kea6", "schema-3.0-leases6.csv"));
    const outcome = await createKeaSource().collect(ctx);
    expect(outcome.status === "ok" && outcome.records.leases?.map((l) => l.ip)).toEqual(["2001:db8:3::10"]);
  });

  it("uses the configured paths", async () => {
    ctx = fakeSourceContext();
    ctx.write("/opt/kea/leases4.csv", `${H4}\n${row("10.9.0.1", "custom")}`);
    const outcome = await createKeaSource({ paths4: ["/opt/kea/leases4.csv"], paths6: [] }).collect(ctx);
    expect(outcome.status === "ok" && outcome.records.leases?.map((l) => l.hostname)).toEqual(["custom"]);
  });

  it("is absent when no lease file exists", async () => {
    ctx = fakeSourceContext();
    const source = createKeaSource();
    expect(await source.detect(ctx)).toBe(false);
    expect(await source.collect(ctx)).toEqual({
      status: "absent",
      reason: expect.stringContaining("no Kea lease file"),
    });
  });

  it("reports a file that is not a Kea lease file as an error, not as every lease ended", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/kea/kea-leases4.csv", fixture("kea4", "wrong-family-leases4.csv"));
    expect(await createKeaSource().collect(ctx)).toEqual({
      status: "error",
      error: expect.stringMatching(/^\/var\/lib\/kea\/kea-leases4\.csv: header lacks client_id/),
    });
  });

  it("reads the pools of the files the configuration includes, in their place", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/kea/kea-leases4.csv", `${H4}\n${row("192.0.2.20", "laptop")}`);
    ctx.write(
      "/etc/kea/kea-dhcp4.conf",
      [
        "{",
        '  "Dhcp4": {',
        '    // <?include "/etc/kea/commented-out.json"?>',
        '    "user-context": { "note": "<?include \\"/etc/kea/in-a-string.json\\"?>" },',
        '    "subnet4": [ <?include "/etc/kea/subnets.json"?> ]',
        "  }",
        "}",
      ].join("\n"),
    );
    ctx.write(
      "/etc/kea/subnets.json",
      [
        "# the wired LAN, then the guests",
        '{ "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.200" } ] },',
        '{ "id": 2, "subnet": "198.51.100.0/24", "pools": [',
        "  <?include",
        '     "/etc/kea/guest-pools.json" ?>',
        "] }",
      ].join("\n"),
    );
    ctx.write("/etc/kea/guest-pools.json", '{ "pool": "198.51.100.64/26" } <?include "relative.json"?>');
    ctx.write("/etc/kea/in-a-string.json", '{ "pool": "203.0.113.1 - 203.0.113.9" }');
    const outcome = await createKeaSource().collect(ctx);
    expect(outcome).toMatchObject({
      status: "ok",
      records: {
        dhcpPools: [
          { name: null, start: "192.0.2.10", end: "192.0.2.200" },
          { name: null, start: "198.51.100.64", end: "198.51.100.127" },
        ],
      },
    });
    expect(outcome.status === "ok" && outcome.skipped).toEqual([
      {
        line: 0,
        reason: "/etc/kea/guest-pools.json: include path is not absolute: not followed",
        text: "relative.json",
      },
    ]);
  });

  it("reports a missing included file, and ends a loop of includes at Kea's depth", async () => {
    ctx = fakeSourceContext();
    ctx.write("/var/lib/kea/kea-leases4.csv", `${H4}\n${row("192.0.2.20", "laptop")}`);
    ctx.write(
      "/etc/kea/kea-dhcp4.conf",
      '{ "Dhcp4": { "subnet4": [ <?include "/etc/kea/loop.json"?> <?include "/etc/kea/gone.json"?> ] } }',
    );
    ctx.write("/etc/kea/loop.json", '<?include "/etc/kea/loop.json"?>');
    const outcome = await createKeaSource().collect(ctx);
    expect(outcome.status === "ok" && outcome.skipped).toEqual([
      {
        line: 0,
        reason: `/etc/kea/loop.json: includes nested more than ${MAX_TEXT_INCLUDE_DEPTH} deep: not read`,
        text: "/etc/kea/loop.json",
      },
      { line: 0, reason: "included by /etc/kea/kea-dhcp4.conf, not found", text: "/etc/kea/gone.json" },
    ]);
    expect(outcome.status === "ok" && outcome.records.dhcpPools).toEqual([]);
  });

  it("finds Kea's include directives only outside comments and strings", () => {
    const text =
      '/* <?include "/a"?> */ "<?include \\"/b\\"?>" <?include\t"/c"\n?> # <?include "/d"?>\n<?include "/e" ?>';
    expect(keaIncludes(text).map((i) => [i.file, text.slice(i.start, i.end)])).toEqual([
      ["/c", '<?include\t"/c"\n?>'],
      ["/e", '<?include "/e" ?>'],
    ]);
  });
});
