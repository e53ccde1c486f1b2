import { describe, expect, it } from "vitest";
import { compareSpoolNames, parseSpoolEvent } from "./spoolReader.js";

const base = "v=1\nserver=dnsmasq\naction=add\nmac=3C:22:FB:8E:41:07\nip=192.168.1.23\n";

describe("parseSpoolEvent", () => {
  it("reads every field and fills the rest with nulls", () => {
    expect(parseSpoolEvent(`${base}time=1732360000\n`)).toEqual({
      ok: true,
      event: {
        action: "add",
        server: "dnsmasq",
        mac: "3c:22:fb:8e:41:07",
        ip: "192.168.1.23",
        hostname: null,
        vendorClass: null,
        requestedOptions: [],
        clientId: null,
        interface: null,
        expiresAt: null,
        writtenAt: 1_732_360_000_000,
        tags: [],
      },
    });
  });

  it("undoes the hook's escapes", () => {
    const result = parseSpoolEvent(`${base}hostname=a\\\\b\\nc\\rd\n`);
    expect(result).toMatchObject({ ok: true, event: { hostname: "a\\b\nc\rd" } });
  });

  it("turns each server's times into an expiry on the gateway clock", () => {
    const at = (extra: string) => {
      const r = parseSpoolEvent(base + extra);
      return r.ok ? r.event.expiresAt : r.reason;
    };
    expect(at("expires=1732363600\n")).toBe(1_732_363_600_000);
    expect(at("expires=0\n")).toBeNull(); // dnsmasq: infinite
    expect(at("time=1732360000\nremaining=600\n")).toBe(1_732_360_600_000);
    expect(at("cltt=1732360000\nlifetime=3600\n")).toBe(1_732_363_600_000);
    expect(at("cltt=1732360000\nlifetime=4294967295\n")).toBeNull(); // Kea: infinite
    expect(at("expires=soon\n")).toBe("expires is not a number of seconds");
  });

  it("normalises the MACs servers print and IPv6 case", () => {
    const r = parseSpoolEvent("v=1\nserver=isc\naction=commit\nmac=0:1b:11:20:dc:2c\nip=FD12::23\n");
    expect(r).toMatchObject({ ok: true, event: { mac: "00:1b:11:20:dc:2c", ip: "fd12::23" } });
  });

  it("ignores keys it does not know and keeps the last of a repeated key", () => {
    const r = parseSpoolEvent(`${base}future_field=1\nhostname=a\nhostname=b\n`);
    expect(r).toMatchObject({ ok: true, event: { hostname: "b" } });
  });

  it.each([
    ["", "empty file"],
    [base.slice(0, -1), "unterminated last line (file was cut off)"],
    ["v=2\nserver=dnsmasq\naction=add\nip=192.168.1.23\n", 'unsupported version "2"'],
    ["v=1\nserver=dnsmasq\naction=renew\nip=192.168.1.23\n", 'unknown action "renew"'],
    ["v=1\nserver=udhcpd\naction=add\nip=192.168.1.23\n", 'unknown server "udhcpd"'],
    ["v=1\nserver=dnsmasq\naction=add\nip=192.168.1.300\n", "ip is not an IP address"],
    ["v=1\nserver=dnsmasq\naction=add\nip=192.168.1.23\nmac=zz\n", "mac is not a hardware address"],
    [`${base}requested_options=1,3,x\n`, "requested_options is not a list of option codes"],
    [`${base}garbage line\n`, 'not a key=value line: "garbage line"'],
    [`${base}hostname=${"x".repeat(5000)}\n`, "larger than 4096 bytes"],
  ])("rejects %j", (text, reason) => {
    expect(parseSpoolEvent(text)).toEqual({ ok: false, reason });
  });
});

describe("compareSpoolNames", () => {
  it("orders by time, then writer, then sequence, whatever the widths", () => {
    const names = [
      "1732360000000000002-0000000100-00112345",
      "1732360000000000001-0000000200-00212345",
      "1732360000000000001-0000000200-00112345",
      "999999999000000000-0000000001-00100000",
      "1732360000000000001-0000000099-00100000",
    ];
    expect([...names].sort(compareSpoolNames)).toEqual([
      "999999999000000000-0000000001-00100000",
      "1732360000000000001-0000000099-00100000",
      "1732360000000000001-0000000200-00112345",
      "1732360000000000001-0000000200-00212345",
      "1732360000000000002-0000000100-00112345",
    ]);
  });
});
