import { describe, expect, it } from "vitest";
import { liveHeapBytes } from "../test/helpers.js";
import { rememberByText, rememberLastText, rememberLinesOfLastText } from "./rememberByText.js";

describe("rememberByText", () => {
  it("computes each text once, null and 0 answers included", () => {
    const calls: string[] = [];
    const length = rememberByText((t: string) => {
      calls.push(t);
      return t === "none" ? null : t.length - 1;
    }, 10);
    expect([length("a"), length("a"), length("none"), length("none"), length("abc")]).toEqual([
      0,
      0,
      null,
      null,
      2,
    ]);
    expect(calls).toEqual(["a", "none", "abc"]);
  });

  it("starts over past its limit, still answering right", () => {
    let calls = 0;
    const upper = rememberByText((t: string) => {
      calls++;
      return t.toUpperCase();
    }, 2);
    for (const t of ["a", "b", "c", "a"]) expect(upper(t)).toBe(t.toUpperCase());
    expect(calls).toBe(4);
  });

  it("keeps none of the long texts its keys and answers were cut from", () => {
    // The answer is cut from the key, as a parser's fields are.
    const ouiOf = rememberByText((mac: string) => mac.slice(0, 8), 100);
    const before = liveHeapBytes();
    for (let i = 0; i < 40; i++) {
      const dump = `Station 02:00:00:00:00:${i.toString(16).padStart(2, "0")} (on phy0-ap0)\n${"\tx\n".repeat(300_000)}`;
      expect(ouiOf(dump.slice(8, 25))).toBe("02:00:00");
    }
    // 40 dumps of 900 KB: kept, they would be 36 MB.
    expect(liveHeapBytes() - before).toBeLessThan(4_000_000);
  });
});

describe("rememberLastText", () => {
  it("computes again only when the text differs from the last one, equal copies included", () => {
    const calls: string[] = [];
    const parse = rememberLastText((t: string) => {
      calls.push(t);
      return { lines: t.split("\n").length };
    });
    const first = parse("a\nb");
    expect(parse(`a\n${"b"}`)).toBe(first);
    expect(parse("a")).toEqual({ lines: 1 });
    expect(parse("a\nb")).toEqual(first);
    expect(calls).toEqual(["a\nb", "a", "a\nb"]);
  });
});

describe("rememberLinesOfLastText", () => {
  it("computes only the lines the last text did not have, and forgets lines that went", () => {
    const calls: string[] = [];
    const read = rememberLinesOfLastText((line: string) => {
      calls.push(line);
      return line === "skip" ? null : { length: line.length };
    });
    const first = read(["a", "bb", "skip", "a"]);
    expect(first).toEqual([{ length: 1 }, { length: 2 }, null, { length: 1 }]);
    const second = read(["bb", "ccc", "skip"]);
    expect(second[0]).toBe(first[1]);
    expect(read(["a", "ccc"])).toEqual([{ length: 1 }, { length: 3 }]);
    // "a" was not in the text before: computed again; "skip" is remembered as null too.
    expect(calls).toEqual(["a", "bb", "skip", "ccc", "a"]);
  });

  it("keeps none of the texts its lines were cut from", () => {
    const read = rememberLinesOfLastText((line: string) => ({ host: line.split(" ")[1] }));
    const before = liveHeapBytes();
    let kept: { host: string | undefined }[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      // Each text adds a lease and keeps the others, as a file grows; the padding makes it 900 KB.
      lines.push(`${i} host-with-a-long-name-${i}`);
      const text = [...lines, `${"#".repeat(900_000)}${i}`].join("\n");
      kept = read(text.split("\n"));
    }
    expect(kept[0]?.host).toBe("host-with-a-long-name-0");
    // An answer from each of 40 texts of 900 KB: viewing them, it would keep 36 MB alive.
    expect(liveHeapBytes() - before).toBeLessThan(4_000_000);
  });
});
