/**
 * The outbox's in-memory twin, for agents with nowhere to keep state (`stateDir: null`): many
 * simulated agents in one process, or a gateway without a writable directory. Same contract as
 * the on-disk Outbox (append, hand out oldest first, forget on acknowledgement, rewind after a
 * lost connection, drop the oldest past the byte limit, refuse what the protocol would refuse)
 * except that a restart loses the queue.
 */
import { MAX_PAYLOAD_BYTES } from "../../protocol/index.js";
import { DroppedInFlight } from "./droppedInFlight.js";
import type { OutboxEntry, OutboxQueue, OutboxStats } from "./outbox.js";

interface Item extends OutboxEntry {
  bytes: number;
  acked: boolean;
}

export class MemoryOutbox implements OutboxQueue {
  readonly #maxBytes: number;
  #items: Item[] = [];
  /** Index in #items of the next record to hand out. */
  #send = 0;
  #nextId = 0;
  #bytes = 0;
  #appended = 0;
  #dropped = 0;
  readonly #droppedInFlight = new DroppedInFlight();

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get stats(): OutboxStats {
    return {
      messages: this.#items.length,
      bytes: this.#bytes,
      limitBytes: this.#maxBytes,
      appended: this.#appended,
      dropped: this.#dropped,
    };
  }

  append(topic: string, payload: string | Buffer): boolean {
    const body = typeof payload === "string" ? Buffer.from(payload) : payload;
    const bytes = body.length + Buffer.byteLength(topic);
    if (bytes > this.#maxBytes || body.length > MAX_PAYLOAD_BYTES) {
      this.#dropped++;
      return false;
    }
    while (this.#bytes + bytes > this.#maxBytes) this.#remove(1, true);
    this.#items.push({ id: this.#nextId++, topic, payload: body, bytes, acked: false });
    this.#bytes += bytes;
    this.#appended++;
    return true;
  }

  take(): OutboxEntry | null {
    while (this.#send < this.#items.length) {
      const item = this.#items[this.#send++] as Item;
      if (!item.acked) return { id: item.id, topic: item.topic, payload: item.payload };
    }
    return null;
  }

  ack(id: number): void {
    const item = this.#items.find((i) => i.id === id);
    if (!item) {
      this.#droppedInFlight.acknowledged(id);
      return;
    }
    item.acked = true;
    let done = 0;
    while (this.#items[done]?.acked) done++;
    if (done > 0) this.#remove(done, false);
  }

  rewind(): void {
    this.#dropped += this.#droppedInFlight.takeLost();
    this.#send = 0;
  }

  close(): void {
    this.#dropped += this.#droppedInFlight.takeLost();
    this.#items = [];
    this.#send = 0;
  }

  #remove(count: number, dropping: boolean): void {
    const removed = this.#items.splice(0, count);
    for (let i = 0; i < removed.length; i++) {
      const item = removed[i] as Item;
      this.#bytes -= item.bytes;
      if (!dropping || item.acked) continue;
      // Handed out already (before the send index): in flight, not yet lost.
      if (i < this.#send) this.#droppedInFlight.add(item.id);
      else this.#dropped++;
    }
    this.#send = Math.max(0, this.#send - count);
  }
}
