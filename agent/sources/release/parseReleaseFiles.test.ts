import { describe, expect, it } from "vitest";
import {
  mergeRouterIdentity,
  parseOpenwrtRelease,
  parseOsRelease,
  parseShellAssignments,
  parseUbusSystemBoard,
} from "./parseReleaseFiles.js";

describe("parseShellAssignments", () => {
  it.each([
    ["A='x y'", "x y"],
    ['A="x \\"y\\" \\$z \\\\ \\q"', 'x "y" $z \\ \\q'],
    ["A=plain", "plain"],
    ["A=esc\\ aped", "esc aped"],
    ["A='it'\\''s'", "it's"],
    ["A=\"con\"'cat'ed", "concated"],
    ["A=", ""],
    ["export A='x'", "x"],
    ["A='x'   # trailing comment", "x"],
    ["A='Résidentiel'", "Résidentiel"],
  ])("%s", (line, value) => {
    const { values, skipped } = parseShellAssignments(`${line}\n`);
    expect(skipped).toEqual([]);
    expect(values.get("A")).toBe(value);
  });

  it.each([["A='open"], ['A="open'], ["A=x y"], ["A=trailing\\"], ["9A=x"], ["just text"]])(
    "skips %s",
    (line) => {
      const { values, skipped } = parseShellAssignments(`${line}\n`);
      expect(values.size).toBe(0);
      expect(skipped).toHaveLength(1);
    },
  );

  it("reads a 5,000-line file", () => {
    const text = Array.from({ length: 5000 }, (_, i) => `KEY_${i}='value ${i}'\n`).join("");
    const { values, skipped } = parseShellAssignments(text);
    expect(skipped).toEqual([]);
    expect(values.get("KEY_4999")).toBe("value 4999");
  });
});

const board = `{
\t"kernel": "5.15.150",
\t"hostname": "OpenWrt",
\t"system": "MediaTek MT7621 ver:1 eco:3",
\t"model": "Xiaomi Mi Router 4A Gigabit Edition",
\t"board_name": "xiaomi,mi-router-4a-gigabit",
\t"rootfs_type": "squashfs",
\t"release": {
\t\t"distribution": "OpenWrt",
\t\t"version": "23.05.3",
\t\t"revision": "r23809-234f1a2efa",
\t\t"target": "ramips\\/mt7621",
\t\t"description": "OpenWrt 23.05.3 r23809-234f1a2efa"
\t}
}
`;

describe("router identity", () => {
  it("merges ubus (model, board) with the release files", () => {
    const ubus = parseUbusSystemBoard(board).records[0];
    const release = parseOpenwrtRelease(
      "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='23.05.3'\nDISTRIB_REVISION='r23809-234f1a2efa'\nDISTRIB_TARGET='ramips/mt7621'\n",
    ).records[0];
    expect(mergeRouterIdentity(ubus, release)).toEqual({
      model: "Xiaomi Mi Router 4A Gigabit Edition",
      board: "xiaomi,mi-router-4a-gigabit",
      distribution: "OpenWrt",
      version: "23.05.3",
      revision: "r23809-234f1a2efa",
      target: "ramips/mt7621",
      firmware: "OpenWrt 23.05.3 r23809-234f1a2efa",
      kernel: "5.15.150",
      hostname: "OpenWrt",
      system: "MediaTek MT7621 ver:1 eco:3",
    });
  });

  it("takes version and revision from one release, never a mix", () => {
    // ubus without a release table (x86), then an os-release with a version but no BUILD_ID.
    const ubus = parseUbusSystemBoard('{"kernel":"6.6.1","hostname":"gw","model":"PC Engines apu2"}')
      .records[0];
    const osRelease = parseOsRelease('NAME="Debian GNU/Linux"\nVERSION_ID="12"\n').records[0];
    const openwrt = parseOpenwrtRelease("DISTRIB_REVISION='r1-abc'\n").records[0];
    expect(mergeRouterIdentity(ubus, osRelease, openwrt)).toMatchObject({
      model: "PC Engines apu2",
      distribution: "Debian GNU/Linux",
      version: "12",
      revision: null,
      firmware: "Debian GNU/Linux 12",
    });
  });

  it("gives no record for an empty file", () => {
    expect(parseOpenwrtRelease("")).toEqual({ records: [], skipped: [] });
    expect(parseUbusSystemBoard("")).toEqual({ records: [], skipped: [] });
    expect(mergeRouterIdentity()).toMatchObject({ model: null, firmware: null });
  });
});
