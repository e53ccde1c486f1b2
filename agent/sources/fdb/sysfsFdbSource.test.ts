import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSourceContext, fakeSourceContext } from "../netdev/fakeSourceContext.js";
import { detectSources } from "../registry.js";
import { parseBridgePortNumber } from "./parseBrforward.js";
import type { BridgeFdbEntry } from "./parseBridgeFdbJson.js";
import { parseBridgeFdbJson } from "./parseBridgeFdbJson.js";
import { createSysfsFdbSource } from "./sysfsFdbSource.js";

const FIXTURES = join(import.meta.dirname, "../../../fixtures");
/** One kernel bridge read both ways in the same namespace (see goldenParsers.ts). */
const CAPTURE = readFileSync(join(FIXTURES, "brforward/namespace-capture.bin"));
const CAPTURE_BRIDGE_JSON = readFileSync(
  join(FIXTURES, "bridge-fdb-json/namespace-capture-with-static.json"),
  "utf8",
);
const CAPTURE_PORTS = { lan1: 1, lan2: 2, lan3: 3, "phy0-ap0": 4, "phy1-ap0": 5 };

function writeBridge(
  ctx: FakeSourceContext,
  bridge: string,
  ports: Record<string, number | string>,
  table: Uint8Array,
) {
  for (const [port, number] of Object.entries(ports)) {
    ctx.write(
      `/sys/class/net/${bridge}/brif/${port}/port_no`,
      typeof number === "string" ? number : `0x${number.toString(16)}\n`,
    );
    ctx.write(`/sys/class/net/${port}/address`, "02:00:00:00:00:01\n");
  }
  ctx.write(`/sys/class/net/${bridge}/brforward`, table);
}

const byMacAndPort = (a: BridgeFdbEntry, b: BridgeFdbEntry) =>
  `${a.mac}${a.interface}`.localeCompare(`${b.mac}${b.interface}`);

describe("sysfs-fdb source", () => {
  let ctx: FakeSourceContext;
  afterEach(() => ctx.cleanup());

  it("gives the rows `bridge fdb` gives for the bridge's own table, read from the same kernel bridge", async () => {
    ctx = fakeSourceContext();
    writeBridge(ctx, "br-lan", CAPTURE_PORTS, CAPTURE);
    const outcome = await createSysfsFdbSource().collect(ctx);
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    expect(outcome.skipped).toEqual([]);
    // bridge fdb also lists the ports' own (self) tables, and says "static" where sysfs has no word for it.
    const fromCommand = parseBridgeFdbJson(CAPTURE_BRIDGE_JSON).records.filter(
      (r) => !r.self && r.bridge !== null,
    );
    expect(fromCommand).toHaveLength(14);
    expect([...(outcome.records.bridgeFdb ?? [])].sort(byMacAndPort)).toEqual(fromCommand.sort(byMacAndPort));
  });

  it("reads every bridge, and skips a row on a port brif does not list and a port_no it cannot read", async () => {
    ctx = fakeSourceContext();
    // Row 1 of the capture is on port 3, row 2 on port 1; lan3's number is unreadable.
    writeBridge(ctx, "br-lan", { lan1: 1, lan3: "three\n" }, CAPTURE.subarray(0, 32));
    writeBridge(
      ctx,
      "br-guest",
      { guest1: 0x12c },
      Buffer.from("0a0000000001" + "2c00" + "00000000" + "01000000", "hex"),
    );
    ctx.write("/sys/class/net/eth1/address", "02:00:00:00:00:02\n");
    const outcome = await createSysfsFdbSource().collect(ctx);
    expect(outcome).toEqual({
      status: "ok",
      records: {
        bridgeFdb: [
          {
            mac: "0a:00:00:00:00:01",
            interface: "guest1",
            bridge: "br-guest",
            vlan: null,
            permanent: false,
            self: false,
          },
          {
            mac: "8a:3d:49:45:8d:91",
            interface: "lan1",
            bridge: "br-lan",
            vlan: null,
            permanent: false,
            self: false,
          },
        ],
      },
      skipped: [
        { line: 1, reason: "not a port number", text: "/sys/class/net/br-lan/brif/lan3/port_no: three" },
        {
          line: 0,
          reason: "52:00:35:92:bc:d0 is on port 3, which brif does not list",
          text: "/sys/class/net/br-lan/brforward",
        },
      ],
    });
  });

  it("is absent without a bridge, and auto picks it over `bridge fdb` where there is one", async () => {
    ctx = fakeSourceContext((command) =>
      command === "bridge"
        ? { status: "ok", stdout: "bridge utility, iproute2-6.1.0\n" }
        : { status: "absent", reason: `${command} is not installed` },
    );
    ctx.write("/sys/class/net/eth0/address", "02:00:00:00:00:01\n");
    const source = createSysfsFdbSource();
    expect(await source.detect(ctx)).toBe(false);
    expect(await source.collect(ctx)).toEqual({ status: "absent", reason: "no bridge in /sys/class/net" });
    const names = async () =>
      (await detectSources(ctx, {})).map((s) => s.name).filter((n) => n.endsWith("fdb"));
    expect(await names()).toEqual(["bridge-fdb"]);
    writeBridge(ctx, "br-lan", CAPTURE_PORTS, CAPTURE);
    expect(await source.detect(ctx)).toBe(true);
    expect(await names()).toEqual(["sysfs-fdb"]);
  });
});

describe("parseBridgePortNumber", () => {
  it.each([
    ["0x1\n", 1],
    ["0x12c\n", 300],
    ["0\n", 0],
    ["1\n", null],
    ["0x\n", null],
    ["", null],
  ])("%j → %s", (text, expected) => expect(parseBridgePortNumber(text)).toBe(expected));
});
