import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../test/helpers.js";
import { SEQUENCE_BLOCK, SequenceCounter } from "./sequenceCounter.js";

const dirs: Array<{ path: string; remove: () => void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe("SequenceCounter", () => {
  it("resumes above the reserved block after a restart within the boot, and from zero in a new boot", () => {
    const d = tempDir("seq");
    dirs.push(d);
    const file = join(d.path, "gw.seq.json");
    const first = new SequenceCounter(file, "boot-1");
    expect([first.next(), first.next()]).toEqual([0, 1]);
    expect(new SequenceCounter(file, "boot-1").next()).toBe(SEQUENCE_BLOCK);
    expect(new SequenceCounter(file, "boot-2").next()).toBe(0);
  });

  it("skipTo keeps new numbers above those already queued, and never goes back", () => {
    const counter = new SequenceCounter(null, "boot-1");
    counter.skipTo(5000);
    expect(counter.next()).toBe(5000);
    counter.skipTo(10);
    expect(counter.next()).toBe(5001);
  });
});
