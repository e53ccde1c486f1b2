import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Lease, leaseSchema, type ValidationError } from "../../../protocol/index.js";
import { parseIscDhcpdLeases } from "./parseIscDhcpdLeases.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/isc-dhcpd");
const T0 = 1_732_360_000; // 2024-11-23T11:06:40Z, a Saturday (weekday 6)

/** ISC's `W YYYY/MM/DD HH:MM:SS;` for an epoch second. */
function iscDate(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCDay()} ${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())};`;
}

function lease(ip: string, state: string, ends: string, extra = ""): string {
  return `lease ${ip} {\n  starts ${iscDate(T0 - 60)}\n  ends ${ends}\n  binding state ${state};\n  hardware ethernet 00:11:22:33:44:55;${extra}\n}\n`;
}

const ips = (leases: Lease[]) => leases.map((l) => l.ip);

describe("parseIscDhcpdLeases", () => {
  it("keeps the last block for an address: a later free block ends an earlier active lease", () => {
    const text =
      lease("10.0.0.1", "active", iscDate(T0 + 600)) +
      lease("10.0.0.2", "active", iscDate(T0 + 600)) +
      lease("10.0.0.1", "free", iscDate(T0)) +
      lease("10.0.0.2", "active", iscDate(T0 + 3600));
    const { records, skipped } = parseIscDhcpdLeases(text);
    expect(skipped).toEqual([]);
    expect(records).toEqual([expect.objectContaining({ ip: "10.0.0.2", expiresAt: (T0 + 3600) * 1000 })]);
  });

  it("re-activates an address whose last block is active again after a free one", () => {
    const text =
      lease("10.0.0.1", "active", iscDate(T0 + 600)) +
      lease("10.0.0.1", "free", iscDate(T0)) +
      lease("10.0.0.1", "active", iscDate(T0 + 900));
    expect(parseIscDhcpdLeases(text).records).toEqual([
      expect.objectContaining({ ip: "10.0.0.1", expiresAt: (T0 + 900) * 1000 }),
    ]);
  });

  it.each(["free", "backup", "expired", "released", "abandoned", "reset", "bootp"])(
    "does not count binding state %s as a lease",
    (state) => {
      expect(parseIscDhcpdLeases(lease("10.0.0.1", state, iscDate(T0 + 600))).records).toEqual([]);
    },
  );

  it("reads the three date forms: weekday date (UTC), epoch with a comment, never", () => {
    const text =
      lease("10.0.0.1", "active", "6 2024/11/23 12:00:00;") +
      lease("10.0.0.2", "active", `epoch ${T0 + 5}; # Sat Nov 23 12:06:45 2024`) +
      lease("10.0.0.3", "active", "never;");
    expect(parseIscDhcpdLeases(text).records.map((l) => l.expiresAt)).toEqual([
      Date.UTC(2024, 10, 23, 12, 0, 0),
      (T0 + 5) * 1000,
      null,
    ]);
  });

  it("skips an impossible date instead of guessing", () => {
    for (const date of [
      "6 2024/02/30 12:00:00;",
      "6 2024/11/23 24:00:00;",
      "9 2024/11/23 12:00:00;",
      "6 24/11/23;",
    ]) {
      const { records, skipped } = parseIscDhcpdLeases(lease("10.0.0.1", "active", date));
      expect(records, date).toEqual([]);
      expect(skipped).toEqual([
        expect.objectContaining({ line: 1, reason: expect.stringContaining("ends date") }),
      ]);
    }
  });

  it("decodes uid octal, quote and backslash escapes into colon hex, and the hex form too", () => {
    const text =
      lease("10.0.0.1", "active", "never;", '\n  uid "\\001\\000\\"\\\\ A\\377";') +
      lease("10.0.0.2", "active", "never;", "\n  uid 1:2:ab;");
    expect(parseIscDhcpdLeases(text).records.map((l) => l.clientId)).toEqual([
      "01:00:22:5c:20:41:ff",
      "01:02:ab",
    ]);
  });

  it("decodes escaped and UTF-8 octal client-hostnames", () => {
    const text =
      lease("10.0.0.1", "active", "never;", '\n  client-hostname "Jos\\303\\251 \\"Q\\" \\\\ \\x41";') +
      lease("10.0.0.2", "active", "never;", '\n  client-hostname "";');
    expect(parseIscDhcpdLeases(text).records.map((l) => l.hostname)).toEqual(['José "Q" \\ A', null]);
  });

  it("reads a brace, semicolon or # inside a quoted string as text", () => {
    const text = lease("10.0.0.1", "active", "never;", '\n  client-hostname "a{b};c#d";');
    expect(parseIscDhcpdLeases(text).records[0]?.hostname).toBe("a{b};c#d");
  });

  it("contains an unescaped quote in a hostname (OpenBSD writes them raw) to its own lease", () => {
    const obsd = (ip: string, name: string) =>
      `lease ${ip} {\n\tstarts ${iscDate(T0)}\n\tends ${iscDate(T0 + 60)}\n\thardware ethernet 00:11:22:33:44:55;\n\tclient-hostname "${name}";\n\thostname "x";\n}\n`;
    const { records, skipped } = parseIscDhcpdLeases(obsd("10.0.0.1", 'say"hi') + obsd("10.0.0.2", "fine"));
    expect(records.map((l) => [l.ip, l.hostname])).toEqual([["10.0.0.2", "fine"]]);
    expect(skipped).toEqual([
      expect.objectContaining({ line: 5, reason: "unbalanced quotes in lease block" }),
    ]);
  });

  it("takes the IAID byte order from authoring-byte-order, else from the option", () => {
    const ia = (iaidBytes: string) =>
      `ia-na "${iaidBytes}\\000\\003\\000\\001\\000\\021\\042\\063\\104\\125" {\n  cltt ${iscDate(T0)}\n  iaaddr 2001:db8::1 {\n    binding state active;\n    preferred-life 100;\n    max-life 200;\n    ends ${iscDate(T0 + 200)}\n  }\n}\n`;
    const key = "\\001\\002\\003\\004";
    expect(parseIscDhcpdLeases(ia(key)).records[0]?.iaid).toBe(0x04030201);
    expect(parseIscDhcpdLeases(ia(key), { defaultByteOrder: "big-endian" }).records[0]?.iaid).toBe(
      0x01020304,
    );
    expect(
      parseIscDhcpdLeases(`authoring-byte-order big-endian;\n${ia(key)}`, {
        defaultByteOrder: "little-endian",
      }).records[0],
    ).toEqual(
      expect.objectContaining({
        ip: "2001:db8::1",
        family: "ipv6",
        mac: null,
        iaid: 0x01020304,
        duid: "00:03:00:01:00:11:22:33:44:55",
        expiresAt: (T0 + 200) * 1000,
      }),
    );
  });

  it("counts ia-ta addresses but not ia-pd prefixes", () => {
    const block = (kind: string, sub: string, addr: string) =>
      `${kind} "\\001\\000\\000\\000\\000\\003\\000\\001\\000\\021\\042\\063\\104\\125" {\n  cltt ${iscDate(T0)}\n  ${sub} ${addr} {\n    binding state active;\n    preferred-life 100;\n    max-life 200;\n    ends ${iscDate(T0 + 200)}\n  }\n}\n`;
    const text = block("ia-ta", "iaaddr", "2001:db8::7") + block("ia-pd", "iaprefix", "2001:db8:100::/56");
    expect(parseIscDhcpdLeases(text)).toEqual({
      records: [expect.objectContaining({ ip: "2001:db8::7", iaid: 1 })],
      skipped: [],
    });
  });

  it("keeps an address's previous state when its newest block was cut off", () => {
    const full = lease("10.0.0.1", "active", iscDate(T0 + 600));
    const renewal = lease("10.0.0.1", "free", iscDate(T0));
    for (let cut = 1; cut < renewal.length - 1; cut++) {
      const { records } = parseIscDhcpdLeases(full + renewal.slice(0, cut));
      expect(ips(records), `cut at ${cut}`).toEqual(["10.0.0.1"]);
    }
  });

  it("recovers at the next lease when a block was never closed", () => {
    const text = `lease 10.0.0.1 {\n  binding state active;\n${lease("10.0.0.2", "active", "never;")}`;
    const { records, skipped } = parseIscDhcpdLeases(text);
    expect(ips(records)).toEqual(["10.0.0.2"]);
    expect(skipped).toEqual([
      expect.objectContaining({ line: 1, reason: expect.stringContaining("unterminated") }),
    ]);
  });

  it("reports a file that is not a lease database as a whole (line 0)", () => {
    expect(parseIscDhcpdLeases("<html><body>502 Bad Gateway</body></html>\n")).toEqual({
      records: [],
      skipped: [expect.objectContaining({ line: 0, reason: "not a dhcpd lease database" })],
    });
    expect(parseIscDhcpdLeases("# only a comment\n\n")).toEqual({ records: [], skipped: [] });
  });

  it("never throws, whatever prefix of a real file or byte soup it is given", () => {
    const real = readFileSync(join(fixtures, "dhcpd6-ubuntu.leases"), "utf8");
    for (let cut = 0; cut <= real.length; cut += 7)
      expect(() => parseIscDhcpdLeases(real.slice(0, cut))).not.toThrow();
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const alphabet = 'lease {};"\\ \n#01:.active binding state ends never epoch ia-na iaaddr';
    for (let n = 0; n < 200; n++) {
      let soup = "";
      for (let k = 0; k < 300; k++) soup += alphabet[random() % alphabet.length];
      expect(() => parseIscDhcpdLeases(soup)).not.toThrow();
    }
  });

  it("parses 5,000 leases with renewals appended, keeping one record per address", () => {
    let text = "authoring-byte-order little-endian;\n\n";
    const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i < 5000; i++) {
      const mac = `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}`;
      text += `lease ${ip(i)} {\n  starts ${iscDate(T0 - i)}\n  ends ${iscDate(T0 + 3600 - i)}\n  cltt ${iscDate(T0 - i)}\n  binding state active;\n  next binding state free;\n  rewind binding state free;\n  hardware ethernet ${mac};\n  uid "\\001\\002\\000\\000\\00${i & 7}";\n  client-hostname "host-${i}";\n}\n`;
    }
    for (let i = 0; i < 5000; i += 10) text += lease(ip(i), "active", iscDate(T0 + 7200));
    const { records, skipped } = parseIscDhcpdLeases(text);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(5000);
    expect(records.find((l) => l.ip === ip(4321))).toEqual({
      mac: "02:00:00:00:10:e1",
      ip: "10.0.16.225",
      family: "ipv4",
      hostname: "host-4321",
      expiresAt: (T0 + 3600 - 4321) * 1000,
      clientId: "01:02:00:00:01",
      duid: null,
      iaid: null,
      source: "isc-dhcpd",
    });
    expect(records.find((l) => l.ip === ip(4320))?.expiresAt).toBe((T0 + 7200) * 1000);
  });

  it("produces only records the wire schema accepts, for every golden fixture", () => {
    for (const file of readdirSync(fixtures).filter((f) => !f.endsWith(".json") && !f.startsWith("."))) {
      for (const record of parseIscDhcpdLeases(readFileSync(join(fixtures, file), "utf8")).records) {
        const errors: ValidationError[] = [];
        leaseSchema.check(record, file, errors);
        expect(errors).toEqual([]);
      }
    }
  });
});
