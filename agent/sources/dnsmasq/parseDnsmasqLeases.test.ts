import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rememberLinesOfLastText } from "../../../common/rememberByText.js";
import { parseDnsmasqLeases, readLeaseLine } from "./parseDnsmasqLeases.js";

const FIXTURES = join(import.meta.dirname, "../../../fixtures/dnsmasq");
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".leases"))
  .map((name) => readFileSync(join(FIXTURES, name), "utf8"));

/** The rewrites dnsmasq makes of a file one after another: renewals, a lease gone, a new one first, a read that raced a rewrite. */
function rewrites(text: string): string[] {
  const lines = text.split("\n");
  const renewed = lines.map((line, i) =>
    i % 3 === 0 ? line.replace(/^\d+/, (s) => String(Number(s) + 600)) : line,
  );
  return [
    text,
    renewed.join("\n"),
    renewed.filter((_, i) => i !== 1).join("\n"),
    ["1732400000 02:00:00:00:00:01 192.168.1.250 newcomer *", ...renewed].join("\n"),
    text.slice(0, Math.floor(text.length / 2)),
    text,
    "",
    text,
  ];
}

describe("parseDnsmasqLeases", () => {
  it("reads the same with the last text's lines remembered as afresh, through every rewrite", () => {
    const remembered = rememberLinesOfLastText(readLeaseLine);
    for (const fixture of fixtures) {
      for (const text of rewrites(fixture)) {
        expect(parseDnsmasqLeases(text, remembered)).toEqual(parseDnsmasqLeases(text));
      }
    }
  });
});
