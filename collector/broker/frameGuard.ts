/**
 * Enforces the maximum MQTT packet size before a byte of an oversized packet is buffered.
 * aedes' parser (mqtt-packet) has no size limit: it keeps appending bytes until the length
 * the fixed header declares has arrived, so a client announcing 256 MB would make the broker
 * hold 256 MB. The scanner reads only the fixed headers (type byte and variable-length
 * "remaining length") as bytes stream past, and the guarded connection closes the socket the
 * moment a header declares too much, before handing anything of that packet to aedes.
 */
import type { Socket } from "node:net";
import { Duplex } from "node:stream";

const HEADER = 0;
const LENGTH = 1;
const BODY = 2;

/** Follows MQTT framing over a byte stream; stateful across chunks. */
export class MqttFrameScanner {
  readonly #maxPacketBytes: number;
  #state: number = HEADER;
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #remaining = 0;

  constructor(maxPacketBytes: number) {
    this.#maxPacketBytes = maxPacketBytes;
  }

  /** Returns null while the stream is acceptable, or why it is not (then the stream must be closed). */
  scan(chunk: Uint8Array): string | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === BODY) {
        const skip = Math.min(this.#remaining, chunk.length - i);
        this.#remaining -= skip;
        i += skip;
        if (this.#remaining === 0) this.#state = HEADER;
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.#state === HEADER) {
        this.#state = LENGTH;
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        continue;
      }
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      // Packet size as MQTT 5 counts it: fixed header (type byte and length bytes) plus the rest.
      const size = 1 + this.#lengthBytes + this.#length;
      if (size > this.#maxPacketBytes) {
        return `packet of at least ${size} bytes exceeds the maximum of ${this.#maxPacketBytes}`;
      }
      if (byte & 0x80) {
        if (this.#lengthBytes === 4) return "malformed remaining length (more than 4 bytes)";
        continue;
      }
      this.#remaining = this.#length;
      this.#state = this.#remaining > 0 ? BODY : HEADER;
    }
    return null;
  }
}

/**
 * A socket seen through the scanner: what aedes reads has passed the size check, and what
 * aedes writes goes straight to the socket. `remoteAddress` is kept for per-address bans.
 */
export class GuardedConnection extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly #socket: Socket;

  constructor(socket: Socket, maxPacketBytes: number, onRefused: (reason: string) => void) {
    super({ allowHalfOpen: false });
    this.#socket = socket;
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    const scanner = new MqttFrameScanner(maxPacketBytes);
    socket.on("data", (chunk: Buffer) => {
      if (this.destroyed) return;
      const problem = scanner.scan(chunk);
      if (problem) {
        onRefused(problem);
        this.destroy(new Error(problem));
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("error", (error) => this.destroy(error));
    socket.on("close", () => this.destroy());
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#socket.write(chunk)) callback();
    else this.#socket.once("drain", () => callback());
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.#socket.cork();
    let ok = true;
    for (const { chunk } of chunks) ok = this.#socket.write(chunk);
    this.#socket.uncork();
    if (ok) callback();
    else this.#socket.once("drain", () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one client as far as bans are concerned. */
export function normalizeAddress(address: string | undefined): string | undefined {
  return address?.startsWith("::ffff:") ? address.slice(7) : address;
}
