/**
 * The contract every outbox keeps, run against both: the on-disk Outbox and MemoryOutbox.
 * (Disk-only behaviour, restarts, torn records, files, is in outbox.test.ts.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { MAX_PAYLOAD_BYTES } from "../../protocol/index.js";
import { tempDir } from "../../test/helpers.js";
import { MemoryOutbox } from "./memoryOutbox.js";
import { Outbox, type OutboxEntry, type OutboxQueue } from "./outbox.js";

const TOPIC = "leaseline/v1/gw-1/snapshot";
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const IMPLEMENTATIONS: Array<[string, (maxBytes: number) => OutboxQueue]> = [
  [
    "on disk",
    (maxBytes) => {
      const dir = tempDir("outbox-contract");
      const outbox = Outbox.open(dir.path, { maxBytes, segmentBytes: Math.max(1024, maxBytes / 8) });
      cleanups.push(dir.remove, () => outbox.close());
      return outbox;
    },
  ],
  ["in memory", (maxBytes) => new MemoryOutbox(maxBytes)],
];

function takeAll(outbox: OutboxQueue): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (let e = outbox.take(); e; e = outbox.take()) out.push(e);
  return out;
}
const texts = (entries: OutboxEntry[]) => entries.map((e) => e.payload.toString());

describe.each(IMPLEMENTATIONS)("outbox contract (%s)", (_name, create) => {
  it("hands out oldest first, each once, until rewound", () => {
    const outbox = create(1 << 20);
    for (const m of ["a", "b", "c"]) outbox.append(TOPIC, m);
    expect(texts(takeAll(outbox))).toEqual(["a", "b", "c"]);
    expect(outbox.take()).toBeNull();
    outbox.rewind();
    expect(texts(takeAll(outbox))).toEqual(["a", "b", "c"]);
  });

  it("drops and counts a message over the protocol's payload limit, which would hold up the rest", () => {
    const outbox = create(8 << 20);
    expect(outbox.append(TOPIC, "a")).toBe(true);
    expect(outbox.append(TOPIC, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20))).toBe(false);
    expect(outbox.append(TOPIC, Buffer.alloc(MAX_PAYLOAD_BYTES, 0x20))).toBe(true);
    expect(outbox.append(TOPIC, "b")).toBe(true);
    expect(takeAll(outbox).map((e) => e.payload.length)).toEqual([1, MAX_PAYLOAD_BYTES, 1]);
    expect(outbox.stats).toMatchObject({ appended: 3, dropped: 1 });
  });

  it("forgets a message only when it is acknowledged, in order", () => {
    const outbox = create(1 << 20);
    for (const m of ["a", "b", "c", "d"]) outbox.append(TOPIC, m);
    const [a, b, c] = takeAll(outbox);
    outbox.ack((c as OutboxEntry).id);
    outbox.ack((a as OutboxEntry).id);
    expect(outbox.stats.messages).toBe(3);
    outbox.rewind();
    const again = texts(takeAll(outbox));
    expect(again[0]).toBe("b");
    expect(again.at(-1)).toBe("d");
    outbox.ack((b as OutboxEntry).id);
    expect(outbox.stats.messages).toBeLessThanOrEqual(2);
  });

  it("drops the oldest past its limit, counts them, and keeps the newest in order", () => {
    const limit = 16 * 1024;
    const outbox = create(limit);
    for (let i = 0; i < 1000; i++) outbox.append(TOPIC, `${String(i).padStart(4, "0")}${".".repeat(200)}`);
    const { messages, dropped, bytes } = outbox.stats;
    expect(messages + dropped).toBe(1000);
    expect(dropped).toBeGreaterThan(900);
    expect(bytes).toBeLessThanOrEqual(limit);
    const kept = texts(takeAll(outbox)).map((t) => Number(t.slice(0, 4)));
    expect(kept.at(-1)).toBe(999);
    expect(kept).toEqual(kept.map((_, i) => (kept[0] as number) + i));
  });

  it("counts a message the limit pushed out while in flight only once its acknowledgement can no longer come", () => {
    const outbox = create(4 * 1024);
    const message = (i: number) => `${String(i).padStart(4, "0")}${".".repeat(200)}`;
    for (let i = 0; i < 10; i++) outbox.append(TOPIC, message(i));
    const inFlight = takeAll(outbox);
    expect(inFlight).toHaveLength(10);
    // The newer messages push all ten out of the outbox while the broker has them.
    for (let i = 10; i < 100; i++) outbox.append(TOPIC, message(i));
    const held = outbox.stats.messages;
    expect(held).toBeLessThan(90);
    expect(outbox.stats.dropped).toBe(100 - held - 10);
    // Five are acknowledged after all: delivered, not lost.
    for (const e of inFlight.slice(0, 5)) outbox.ack(e.id);
    expect(outbox.stats.dropped).toBe(100 - held - 10);
    // The connection goes before the other five are: those are lost.
    outbox.rewind();
    expect(outbox.stats.dropped).toBe(100 - held - 5);
    expect(texts(takeAll(outbox)).at(-1)).toBe(message(99));
  });

  it("ignores an acknowledgement for a message it no longer holds", () => {
    const outbox = create(1 << 20);
    outbox.append(TOPIC, "a");
    const a = outbox.take() as OutboxEntry;
    outbox.ack(a.id);
    outbox.ack(a.id);
    outbox.ack(12345);
    outbox.append(TOPIC, "b");
    expect(texts(takeAll(outbox))).toEqual(["b"]);
    expect(outbox.stats).toMatchObject({ messages: 1, appended: 2, dropped: 0 });
  });
});
