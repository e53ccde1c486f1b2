import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers.js";
import { Outbox, type OutboxEntry } from "./outbox.js";
import { decodeRecord, encodeRecord } from "./recordCodec.js";
import { listSegments, segmentPath } from "./segmentFiles.js";

const TOPIC = "leaseline/v1/gw-1/snapshot";
const dirs: Array<{ remove: () => void }> = [];
const open: Outbox[] = [];

function newDir(): string {
  const dir = tempDir("outbox");
  dirs.push(dir);
  return dir.path;
}

function openOutbox(dir: string, maxBytes = 1 << 20, segmentBytes?: number): Outbox {
  const outbox = Outbox.open(dir, { maxBytes, ...(segmentBytes ? { segmentBytes } : {}) });
  open.push(outbox);
  return outbox;
}

function takeAll(outbox: Outbox): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (let e = outbox.take(); e; e = outbox.take()) out.push(e);
  return out;
}

const texts = (entries: OutboxEntry[]) => entries.map((e) => e.payload.toString());

afterEach(() => {
  for (const o of open.splice(0)) o.close();
  for (const d of dirs.splice(0)) d.remove();
});

describe("record codec", () => {
  it("round-trips topic and payload, and rejects a flipped bit", () => {
    const frame = encodeRecord(TOPIC, '{"seq":1,"host":"café"}');
    const decoded = decodeRecord(frame, 0);
    expect(decoded).toMatchObject({ kind: "ok", bytes: frame.length, record: { topic: TOPIC } });
    expect(decoded.kind === "ok" && decoded.record.payload.toString()).toBe('{"seq":1,"host":"café"}');
    frame[frame.length - 3] = (frame[frame.length - 3] as number) ^ 0x10;
    expect(decodeRecord(frame, 0)).toEqual({ kind: "corrupt", reason: "checksum mismatch" });
    expect(decodeRecord(frame.subarray(0, 12), 0)).toEqual({ kind: "partial", need: frame.length });
  });
});

describe("outbox", () => {
  it("hands records out oldest first and forgets them only when acknowledged", () => {
    const outbox = openOutbox(newDir());
    for (let i = 0; i < 5; i++) outbox.append(TOPIC, `m${i}`);
    const first = takeAll(outbox);
    expect(texts(first)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(first.every((e) => e.topic === TOPIC)).toBe(true);
    // Acknowledged out of order: the cursor moves only over the contiguous prefix.
    outbox.ack(first[1]?.id as number);
    expect(outbox.stats.messages).toBe(5);
    outbox.ack(first[0]?.id as number);
    expect(outbox.stats.messages).toBe(3);
    outbox.rewind();
    expect(texts(takeAll(outbox))).toEqual(["m2", "m3", "m4"]);
  });

  it("after a restart replays what was not acknowledged, oldest first, and keeps appending after it", () => {
    const dir = newDir();
    const first = openOutbox(dir, 1 << 20, 64);
    for (let i = 0; i < 10; i++) first.append(TOPIC, `m${i}`);
    const taken = takeAll(first);
    for (const e of taken.slice(0, 4)) first.ack(e.id);
    first.close();
    open.splice(0);
    const second = openOutbox(dir, 1 << 20, 64);
    expect(second.stats.messages).toBe(6);
    second.append(TOPIC, "m10");
    expect(texts(takeAll(second))).toEqual(["m4", "m5", "m6", "m7", "m8", "m9", "m10"]);
    expect(second.takeRecoveredNewest()?.payload.toString()).toBe("m9");
  });

  it("reads records larger than its read buffer, before and after a restart", () => {
    const dir = newDir();
    const big = (i: number) => `${i}:${"b".repeat(150_000 + i * 70_000)}`;
    const first = openOutbox(dir, 4 << 20);
    for (let i = 0; i < 4; i++) first.append(TOPIC, big(i));
    first.append(TOPIC, "small");
    expect(texts(takeAll(first))).toEqual([big(0), big(1), big(2), big(3), "small"]);
    first.close();
    open.splice(0);
    expect(texts(takeAll(openOutbox(dir, 4 << 20)))).toEqual([big(0), big(1), big(2), big(3), "small"]);
  });

  it("deletes a segment once all of it is acknowledged", () => {
    const dir = newDir();
    const outbox = openOutbox(dir, 1 << 20, 100);
    for (let i = 0; i < 20; i++) outbox.append(TOPIC, `message-${i}`);
    expect(listSegments(dir).length).toBeGreaterThan(3);
    for (const e of takeAll(outbox)) outbox.ack(e.id);
    expect(listSegments(dir)).toHaveLength(1);
    expect(outbox.stats).toMatchObject({ messages: 0, bytes: 0 });
  });

  it("cuts off a torn last record after a power cut and keeps everything before it", () => {
    const dir = newDir();
    const first = openOutbox(dir);
    for (let i = 0; i < 3; i++) first.append(TOPIC, `m${i}`);
    first.close();
    open.splice(0);
    const [segment] = listSegments(dir);
    const path = segmentPath(dir, segment as number);
    const whole = encodeRecord(TOPIC, "m3-never-finished");
    appendFileSync(path, whole.subarray(0, whole.length - 5));
    const sizeBefore = statSync(path).size;
    const second = openOutbox(dir);
    expect(statSync(path).size).toBe(sizeBefore - (whole.length - 5));
    expect(texts(takeAll(second))).toEqual(["m0", "m1", "m2"]);
    second.append(TOPIC, "m4");
    expect(texts(takeAll(second))).toEqual(["m4"]);
  });

  it("skips a last record whose checksum does not match (garbage written over it)", () => {
    const dir = newDir();
    const first = openOutbox(dir);
    for (let i = 0; i < 3; i++) first.append(TOPIC, `m${i}`);
    first.close();
    open.splice(0);
    const path = segmentPath(dir, listSegments(dir)[0] as number);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = 0x00;
    writeFileSync(path, bytes);
    expect(texts(takeAll(openOutbox(dir)))).toEqual(["m0", "m1"]);
  });

  it("when full drops the oldest messages, counts them, and stays within its limit", () => {
    const dir = newDir();
    const limit = 64 * 1024;
    const outbox = openOutbox(dir, limit, 8 * 1024);
    const payload = "x".repeat(200);
    for (let i = 0; i < 5000; i++) outbox.append(TOPIC, `${String(i).padStart(5, "0")}${payload}`);
    const { messages, bytes, dropped, appended } = outbox.stats;
    expect(appended).toBe(5000);
    expect(dropped).toBeGreaterThan(4000);
    expect(messages + dropped).toBe(5000);
    expect(bytes).toBeLessThanOrEqual(limit);
    const onDisk = readdirSync(dir)
      .filter((f) => f.endsWith(".seg"))
      .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(onDisk).toBeLessThanOrEqual(limit);
    // Memory held does not depend on how many messages went through: a bounded number of segments.
    expect(outbox.segmentCount).toBeLessThanOrEqual(limit / (8 * 1024) + 1);
    const kept = texts(takeAll(outbox));
    expect(kept).toHaveLength(messages);
    expect(kept.at(-1)?.slice(0, 5)).toBe("04999");
    // The survivors are the newest ones, in order, with nothing missing between them.
    const numbers = kept.map((t) => Number(t.slice(0, 5)));
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] as number) + i));
  });

  it("drops in-flight records of a dropped segment and ignores their late acknowledgements", () => {
    const outbox = openOutbox(newDir(), 4096, 1024);
    for (let i = 0; i < 8; i++) outbox.append(TOPIC, `${i}`.padEnd(100, "."));
    const inFlight = [outbox.take(), outbox.take()];
    for (let i = 8; i < 60; i++) outbox.append(TOPIC, `${i}`.padEnd(100, "."));
    for (const e of inFlight) outbox.ack(e?.id as number);
    expect(outbox.stats.dropped).toBeGreaterThan(0);
    const rest = takeAll(outbox);
    expect(rest.length).toBe(outbox.stats.messages);
    expect(rest.at(-1)?.payload.toString().startsWith("59")).toBe(true);
  });

  it("refuses a message larger than the whole outbox and counts it", () => {
    const outbox = openOutbox(newDir(), 16 * 1024);
    expect(outbox.append(TOPIC, "y".repeat(20_000))).toBe(false);
    expect(outbox.stats).toMatchObject({ dropped: 1, messages: 0 });
  });

  it("persists the acknowledgement cursor, so a restart does not resend acknowledged messages", () => {
    const dir = newDir();
    const first = openOutbox(dir);
    for (let i = 0; i < 4; i++) first.append(TOPIC, `m${i}`);
    for (const e of takeAll(first).slice(0, 3)) first.ack(e.id);
    first.close();
    open.splice(0);
    expect(texts(takeAll(openOutbox(dir)))).toEqual(["m3"]);
  });

  it("starts from the oldest record when the cursor file is damaged (repeats, never losses)", () => {
    const dir = newDir();
    const first = openOutbox(dir);
    for (let i = 0; i < 3; i++) first.append(TOPIC, `m${i}`);
    for (const e of takeAll(first).slice(0, 2)) first.ack(e.id);
    first.close();
    open.splice(0);
    writeFileSync(join(dir, "cursor.json"), '{"segment":0,"offset":7,"id":1}');
    expect(texts(takeAll(openOutbox(dir)))).toEqual(["m0", "m1", "m2"]);
  });

  it("refuses an outbox written in another layout", () => {
    const dir = newDir();
    writeFileSync(join(dir, "format"), "leaseline-outbox 99\n");
    expect(() => Outbox.open(dir, { maxBytes: 1 << 20 })).toThrow(/layout "leaseline-outbox 99"/);
  });

  it("will not share its directory with another live process", () => {
    const dir = newDir();
    writeFileSync(join(dir, "lock"), `${process.ppid}\n`);
    expect(() => Outbox.open(dir, { maxBytes: 1 << 20 })).toThrow(/in use by another agent/);
    // A lock left by a process that no longer exists is taken over.
    writeFileSync(join(dir, "lock"), "999999999\n");
    expect(openOutbox(dir).stats.messages).toBe(0);
  });
});
