/**
 * Whatever a gateway's files and commands print, a parser whose records go into a snapshot as
 * they are must return records the collector takes: one value out of the protocol's limits makes
 * it refuse the whole snapshot. Every fixture of those parsers is damaged in ways a client or a
 * driver could (a word or a quoted value replaced by an overlong one, printable or not) and each
 * record is checked against its schema.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Prng } from "../../common/prng.js";
import type { ValidationError } from "../../protocol/index.js";
import { goldenParsers, protocolRecordSchemas } from "./goldenParsers.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures");

/** Overlong values a client, a driver or a firmware could print. */
const LONG_VALUES = [
  "h".repeat(300),
  Array.from({ length: 300 }, (_, i) => (i % 256).toString(16).padStart(2, "0")).join(":"),
  "\\303\\251".repeat(100),
  "é".repeat(300),
  "9".repeat(40),
];

/** A copy of the text with one word, or one quoted value, replaced by an overlong value. */
function damaged(text: string, prng: Prng): string {
  const value = prng.pick(LONG_VALUES);
  const pattern = prng.chance(0.5) ? /"[^"\n]*"/g : /[^\s",:;{}[\]=]+/g;
  const spans = [...text.matchAll(pattern)];
  const span = spans.length > 0 ? prng.pick(spans) : undefined;
  if (!span || span.index === undefined) return text;
  const replacement = span[0].startsWith('"') ? `"${value}"` : value;
  return text.slice(0, span.index) + replacement + text.slice(span.index + span[0].length);
}

describe("records within the protocol's limits, whatever was printed", () => {
  for (const [name, schema] of Object.entries(protocolRecordSchemas)) {
    it(name, () => {
      const parse = goldenParsers[name];
      if (!parse) throw new Error(`no golden parser ${name}`);
      const dir = join(FIXTURES, name);
      // Seeded, so a failure replays.
      const prng = new Prng(name.length * 7919);
      const errors: ValidationError[] = [];
      for (const file of readdirSync(dir)) {
        if (file.startsWith(".") || file.endsWith(".expected.json")) continue;
        const text = readFileSync(join(dir, file), "utf8");
        for (let round = 0; round < 60; round++) {
          const input = damaged(damaged(text, prng), prng);
          for (const [i, record] of parse(input).records.entries()) {
            schema.check(record, `${file} round ${round} records[${i}]`, errors);
          }
        }
      }
      expect(errors.slice(0, 3)).toEqual([]);
    });
  }
});
