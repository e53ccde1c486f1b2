import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BRFORWARD_ENTRY_BYTES, parseBrforward } from "./parseBrforward.js";

const CAPTURE = readFileSync(join(import.meta.dirname, "../../../fixtures/brforward/namespace-capture.bin"));

describe("parseBrforward", () => {
  it("reads every prefix of a real table: whole entries as records, the cut one as one skip", () => {
    const all = parseBrforward(CAPTURE).records;
    for (let cut = 0; cut <= CAPTURE.length; cut++) {
      const result = parseBrforward(CAPTURE.subarray(0, cut));
      expect(result.records).toEqual(all.slice(0, Math.floor(cut / BRFORWARD_ENTRY_BYTES)));
      expect(result.skipped).toHaveLength(cut % BRFORWARD_ENTRY_BYTES === 0 ? 0 : 1);
    }
  });

  it("never throws on arbitrary or damaged bytes, and keeps only unicast MACs on real ports", () => {
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const soup = () => Uint8Array.from({ length: random(300) }, () => random(256));
    // The capture with a few bytes changed: mostly still entries, some no longer.
    const damaged = () => {
      const bytes = Uint8Array.from(CAPTURE);
      for (let i = 0; i < 4; i++) bytes[random(bytes.length)] = random(256);
      return bytes;
    };
    let kept = 0;
    for (let n = 0; n < 400; n++) {
      const bytes = n % 2 === 0 ? soup() : damaged();
      const result = parseBrforward(bytes);
      for (const r of result.records) {
        expect(r.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        expect(Number.parseInt(r.mac.slice(0, 2), 16) & 1).toBe(0);
        expect(r.port).toBeGreaterThan(0);
      }
      expect(result.records.length + result.skipped.length).toBe(
        Math.ceil(bytes.length / BRFORWARD_ENTRY_BYTES),
      );
      kept += result.records.length;
    }
    expect(kept).toBeGreaterThan(2000);
  });
});
