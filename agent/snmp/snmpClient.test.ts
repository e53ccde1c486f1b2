import { describe, expect, it } from "vitest";
import { parseSnmpTarget, type SnmpClientOptions, validateSnmpOptions } from "./snmpClient.js";

describe("parseSnmpTarget", () => {
  it("reads IPv4 and bracketed IPv6 targets, with port 161 by default", () => {
    expect(parseSnmpTarget("udp://192.168.1.1")).toEqual({
      host: "192.168.1.1",
      port: 161,
      transport: "udp4",
    });
    expect(parseSnmpTarget("udp://10.0.0.1:1161/")).toEqual({
      host: "10.0.0.1",
      port: 1161,
      transport: "udp4",
    });
    expect(parseSnmpTarget("UDP://[2001:db8::1]:16100")).toEqual({
      host: "2001:db8::1",
      port: 16100,
      transport: "udp6",
    });
    expect(parseSnmpTarget("udp://[::1]")).toEqual({ host: "::1", port: 161, transport: "udp6" });
  });

  it.each([
    ["192.168.1.1", /target: "192.168.1.1" is not udp:\/\/HOST\[:PORT\]/],
    ["tcp://192.168.1.1:161", /target: only udp:\/\/ is supported/],
    ["udp://public@192.168.1.1", /target: do not put a community or user in the URL/],
    ["udp://router.lan", /target: "router.lan" is not an IPv4 address \(host names are not resolved/],
    ["udp://2001:db8::1", /target: "udp:\/\/2001:db8::1": IPv6 addresses go in brackets/],
    ["udp://10.0.0.1/snmp", /target: "10.0.0.1\/snmp" is not an IPv4 address/],
    ["udp://[10.0.0.1]", /target: "10.0.0.1" in brackets is not an IPv6 address/],
    ["udp://10.0.0.1:0", /target: port "0" is not between 1 and 65535/],
    ["udp://10.0.0.1:70000", /target: port "70000"/],
    ["udp://10.0.0.1:16x", /target: port "16x"/],
    ["udp://:161", /target: .* has no host/],
    ["udp://10.0.0.256", /is not an IPv4 address/],
  ])("rejects %s with an error naming the option", (value, message) => {
    expect(() => parseSnmpTarget(value)).toThrow(message);
  });
});

describe("validateSnmpOptions", () => {
  const v2c: SnmpClientOptions = {
    target: "udp://127.0.0.1:1161",
    version: "2c",
    community: "public",
    timeoutMs: 2000,
    retries: 1,
  };

  it("accepts complete v2c and v3 options", () => {
    expect(validateSnmpOptions(v2c)).toEqual({ host: "127.0.0.1", port: 1161, transport: "udp4" });
    expect(() =>
      validateSnmpOptions({
        ...v2c,
        version: "3",
        community: undefined,
        v3: { user: "noc", level: "authNoPriv", authProtocol: "sha256", authKey: "long-enough" },
      }),
    ).not.toThrow();
  });

  it("reports every problem at once, each with its option's name", () => {
    const bad = {
      target: "udp://10.0.0.1:99999",
      version: "3",
      v3: { user: "", level: "authPriv", authProtocol: "sha1", authKey: "short", privProtocol: "aes128" },
      timeoutMs: 0,
      retries: 1.5,
    } as unknown as SnmpClientOptions;
    expect(() => validateSnmpOptions(bad)).toThrow(
      [
        'invalid SNMP options: target: port "99999" is not between 1 and 65535',
        "timeoutMs: expected a whole number of ms between 1 and 60000",
        "retries: expected a whole number between 0 and 10",
        "v3.user: required",
        "v3.authProtocol: expected one of md5, sha, sha224, sha256, sha384, sha512",
        "v3.authKey: at least 8 characters",
        "v3.privProtocol: expected one of des, aes, aes256b, aes256r for authPriv",
        "v3.privKey: at least 8 characters for authPriv",
      ].join("; "),
    );
  });

  it("refuses SNMPv1 and a v2c session without a community", () => {
    expect(() => validateSnmpOptions({ ...v2c, version: "1" as "2c" })).toThrow(
      'version: expected "2c" or "3" (v1 has no Counter64), got "1"',
    );
    expect(() => validateSnmpOptions({ ...v2c, community: "" })).toThrow(
      "community: required for version 2c",
    );
    expect(() => validateSnmpOptions({ ...v2c, version: "3" })).toThrow("v3: required for version 3");
  });
});
