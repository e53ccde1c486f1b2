/**
 * Golden tests for every parser in goldenParsers over every fixture under fixtures/<parser>/.
 * Run with UPDATE_GOLDEN=1 to (re)write the expected files after checking a change by eye.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ValidationError } from "../../protocol/index.js";
import { goldenBinaryParsers, goldenParsers, protocolRecordSchemas } from "./goldenParsers.js";
import type { ParseResult } from "./parseResult.js";

const fixturesDir = join(import.meta.dirname, "../../fixtures");

const update = process.env.UPDATE_GOLDEN === "1";

describe("golden parser fixtures", () => {
  it("every fixture folder has a parser and every parser has fixtures", () => {
    const folders = readdirSync(fixturesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(fixturesDir, d.name, ".golden")))
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...Object.keys(goldenParsers), ...Object.keys(goldenBinaryParsers)].sort());
  });

  const parsers: (readonly [string, (file: string) => ParseResult<unknown>])[] = [
    ...Object.entries(goldenParsers).map(
      ([name, parse]) => [name, (file: string) => parse(readFileSync(file, "utf8"))] as const,
    ),
    ...Object.entries(goldenBinaryParsers).map(
      ([name, parse]) => [name, (file: string) => parse(readFileSync(file))] as const,
    ),
  ];
  for (const [name, parseFile] of parsers) {
    const dir = join(fixturesDir, name);
    const inputs = existsSync(dir)
      ? readdirSync(dir).filter((f) => !f.endsWith(".expected.json") && !f.startsWith("."))
      : [];
    describe(name, () => {
      for (const input of inputs) {
        it(input, () => {
          const result = parseFile(join(dir, input));
          const expectedFile = join(dir, `${input}.expected.json`);
          if (update) writeFileSync(expectedFile, `${JSON.stringify(result, null, 2)}\n`);
          expect(existsSync(expectedFile), `missing ${expectedFile}`).toBe(true);
          expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(readFileSync(expectedFile, "utf8")));
          // What goes on the wire as parsed must be what the collector takes: one record out of the
          // protocol's limits would have it refuse the whole snapshot.
          const schema = protocolRecordSchemas[name];
          if (schema) {
            const errors: ValidationError[] = [];
            for (const [i, record] of result.records.entries()) schema.check(record, `records[${i}]`, errors);
            expect(errors).toEqual([]);
          }
        });
      }
    });
  }
});
