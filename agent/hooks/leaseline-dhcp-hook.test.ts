import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHook, shells, spoolFiles } from "./hookTestHelpers.js";
import { parseSpoolEvent } from "./spoolReader.js";

let root: string;
let spool: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "leaseline-hook-"));
  spool = join(root, "spool");
  mkdirSync(spool);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const DNSMASQ_ENV = {
  DNSMASQ_REQUESTED_OPTIONS: "1,3,6,15,26,28,51,58,59,43,114,108",
  DNSMASQ_VENDOR_CLASS: "android-dhcp-14",
  DNSMASQ_SUPPLIED_HOSTNAME: "Galaxy-S23",
  DNSMASQ_CLIENT_ID: "01:3c:22:fb:8e:41:07",
  DNSMASQ_INTERFACE: "br-lan",
  DNSMASQ_LEASE_EXPIRES: "1732363600",
  DNSMASQ_TIME_REMAINING: "43200",
  DNSMASQ_TAGS: "lan known",
};

function events(): ReturnType<typeof parseSpoolEvent>[] {
  return spoolFiles(spool).map((f) => parseSpoolEvent(f.text));
}

for (const [label, shell] of shells()) {
  describe(`leaseline-dhcp-hook.sh under ${label}`, () => {
    it("writes a dnsmasq add with its vendor class and request list, silently, exit 0", () => {
      const run = runHook(
        shell,
        spool,
        ["add", "3c:22:fb:8e:41:07", "192.168.1.23", "Galaxy-S23"],
        DNSMASQ_ENV,
      );
      expect(run).toEqual({ status: 0, stdout: "", stderr: "" });
      const files = spoolFiles(spool);
      expect(files).toHaveLength(1);
      expect(files[0]?.name).toMatch(/^\d{19}-\d{10}-\d{3}[0-9a-f]{8}$/);
      expect(readdirSync(spool).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
      expect(events()).toEqual([
        {
          ok: true,
          event: {
            action: "add",
            server: "dnsmasq",
            mac: "3c:22:fb:8e:41:07",
            ip: "192.168.1.23",
            hostname: "Galaxy-S23",
            vendorClass: "android-dhcp-14",
            requestedOptions: [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108],
            clientId: "01:3c:22:fb:8e:41:07",
            interface: "br-lan",
            expiresAt: 1_732_363_600_000,
            writtenAt: expect.any(Number),
            tags: ["lan", "known"],
          },
        },
      ]);
    });

    it("keeps a hostname with a newline, backslash and carriage return intact", () => {
      const name = "bad\\name\nsecond\rline";
      runHook(shell, spool, ["old", "3c:22:fb:8e:41:07", "192.168.1.23"], {
        DNSMASQ_SUPPLIED_HOSTNAME: name,
      });
      const [only] = events();
      expect(only).toMatchObject({ ok: true, event: { action: "old", hostname: name } });
    });

    it("takes the DUID, not a MAC, from a DHCPv6 event", () => {
      runHook(shell, spool, ["add", "00:04:9f:2b:4c:6d:1f:2e", "fd12:3456:789a:1::23", "laptop"], {
        DNSMASQ_IAID: "123456",
        DNSMASQ_MAC: "3c:22:fb:8e:41:07",
      });
      expect(events()).toEqual([
        expect.objectContaining({
          event: expect.objectContaining({
            mac: "3c:22:fb:8e:41:07",
            clientId: "00:04:9f:2b:4c:6d:1f:2e",
            ip: "fd12:3456:789a:1::23",
          }),
        }),
      ]);
    });

    it("ignores dnsmasq's init, tftp and arp calls without printing anything", () => {
      for (const args of [
        ["init"],
        ["tftp", "1234", "192.168.1.23", "/srv/tftp/pxelinux.0"],
        ["arp-add", "3c:22:fb:8e:41:07", "192.168.1.23"],
      ]) {
        expect(runHook(shell, spool, args)).toEqual({ status: 0, stdout: "", stderr: "" });
      }
      expect(readdirSync(spool)).toEqual([]);
    });

    it("writes one event per Kea committed lease, then a del per replaced lease", () => {
      const run = runHook(shell, spool, ["leases4_committed"], {
        QUERY4_TYPE: "DHCPREQUEST",
        QUERY4_IFACE_NAME: "br-lan",
        LEASES4_SIZE: "1",
        LEASES4_AT0_ADDRESS: "192.168.1.23",
        LEASES4_AT0_HWADDR: "3c:22:fb:8e:41:07",
        LEASES4_AT0_HWADDR_TYPE: "1",
        LEASES4_AT0_HOSTNAME: "pixel-8",
        LEASES4_AT0_CLIENT_ID: "01:3c:22:fb:8e:41:07",
        LEASES4_AT0_CLTT: "1732360000",
        LEASES4_AT0_VALID_LIFETIME: "3600",
        LEASES4_AT0_STATE: "default",
        DELETED_LEASES4_SIZE: "1",
        DELETED_LEASES4_AT0_ADDRESS: "192.168.1.99",
        DELETED_LEASES4_AT0_HWADDR: "3c:22:fb:8e:41:07",
        DELETED_LEASES4_AT0_CLTT: "1732300000",
        DELETED_LEASES4_AT0_VALID_LIFETIME: "4294967295",
      });
      expect(run.status).toBe(0);
      expect(
        events().map((e) => (e.ok ? [e.event.action, e.event.ip, e.event.expiresAt, e.event.interface] : e)),
      ).toEqual([
        ["commit", "192.168.1.23", 1_732_363_600_000, "br-lan"],
        ["del", "192.168.1.99", null, "br-lan"],
      ]);
    });

    it("maps Kea's release and expire hook points", () => {
      const lease = {
        LEASE4_ADDRESS: "192.168.1.23",
        LEASE4_HWADDR: "3c:22:fb:8e:41:07",
        LEASE4_HOSTNAME: "pixel-8",
      };
      runHook(shell, spool, ["lease4_release"], { ...lease, QUERY4_IFACE_NAME: "br-lan" });
      runHook(shell, spool, ["lease4_expire"], { ...lease, REMOVE_LEASE: "true" });
      runHook(shell, spool, ["lease6_release"], { LEASE6_ADDRESS: "fd12::23" });
      expect(events().map((e) => (e.ok ? [e.event.server, e.event.action, e.event.mac] : e))).toEqual([
        ["kea", "release", "3c:22:fb:8e:41:07"],
        ["kea", "expire", "3c:22:fb:8e:41:07"],
      ]);
    });

    it("reads ISC dhcpd's execute() arguments, including binary-to-ascii's unpadded MAC", () => {
      runHook(shell, spool, [
        "commit",
        "0:1b:11:20:dc:2c",
        "192.168.1.40",
        "HP4A2B3C",
        "Hewlett-Packard JetDirect",
        "1,3,6,15,44,46,47",
      ]);
      runHook(shell, spool, ["expiry", "0:1b:11:20:dc:2c", "192.168.1.40"]);
      expect(events()).toEqual([
        expect.objectContaining({
          event: expect.objectContaining({
            server: "isc",
            action: "commit",
            mac: "00:1b:11:20:dc:2c",
            hostname: "HP4A2B3C",
            vendorClass: "Hewlett-Packard JetDirect",
            requestedOptions: [1, 3, 6, 15, 44, 46, 47],
          }),
        }),
        expect.objectContaining({ event: expect.objectContaining({ action: "expire", hostname: null }) }),
      ]);
    });

    it("names files so that they sort in the order the events happened", () => {
      for (let i = 0; i < 5; i++) runHook(shell, spool, ["old", "3c:22:fb:8e:41:07", `192.168.1.${10 + i}`]);
      expect(events().map((e) => (e.ok ? e.event.ip : null))).toEqual([
        "192.168.1.10",
        "192.168.1.11",
        "192.168.1.12",
        "192.168.1.13",
        "192.168.1.14",
      ]);
    });

    it("exits 0 and writes nothing when the spool directory is missing", () => {
      const missing = join(root, "no-agent");
      expect(runHook(shell, missing, ["add", "3c:22:fb:8e:41:07", "192.168.1.23"])).toEqual({
        status: 0,
        stdout: "",
        stderr: "",
      });
      expect(readdirSync(root)).toEqual(["spool"]);
    });

    it("drops the event and leaves an overflow marker when 1,000 files are waiting", () => {
      for (let i = 0; i < 1000; i++)
        writeFileSync(join(spool, `1732360000000000000-0000000001-${String(i).padStart(8, "0")}`), "v=1\n");
      expect(runHook(shell, spool, ["add", "3c:22:fb:8e:41:07", "192.168.1.23"]).status).toBe(0);
      const names = readdirSync(spool);
      expect(names).toHaveLength(1001);
      expect(names).toContain(".overflow");
      rmSync(join(spool, "1732360000000000000-0000000001-00000000"));
      rmSync(join(spool, ".overflow"));
      runHook(shell, spool, ["add", "3c:22:fb:8e:41:07", "192.168.1.23"]);
      expect(readdirSync(spool)).toHaveLength(1000);
    });
  });
}
