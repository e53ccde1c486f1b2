/**
 * Registry of pure parsers with golden fixtures: `fixtures/<name>/<case>.<ext>` is parsed by
 * the parser registered under <name> and compared with `fixtures/<name>/<case>.expected.json`.
 * A parser added here is covered by agent/sources/golden.test.ts without further code.
 */
import { parseDnsmasqLeases } from "./dnsmasq/parseDnsmasqLeases.js";
import type { ParseResult } from "./parseResult.js";

export const goldenParsers: Record<string, (text: string) => ParseResult<unknown>> = {
  dnsmasq: parseDnsmasqLeases,
};
