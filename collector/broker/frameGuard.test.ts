import { describe, expect, it } from "vitest";
import { MqttFrameScanner } from "./frameGuard.js";

/** MQTT's variable-length integer. */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** A QoS 1 PUBLISH, encoded by hand as MQTT 3.1.1 section 3.3 describes it. */
function publish(payloadBytes: number): Buffer {
  const topic = Buffer.from("leaseline/v1/gw-1/snapshot");
  const body = Buffer.concat([
    Buffer.from([topic.length >> 8, topic.length & 0xff]),
    topic,
    Buffer.from([0x00, 0x07]),
    Buffer.alloc(payloadBytes, 0x61),
  ]);
  return Buffer.concat([Buffer.from([0x32, ...varint(body.length)]), body]);
}

const PINGREQ = Buffer.from([0xc0, 0x00]);

describe("MqttFrameScanner", () => {
  it("accepts packets up to the maximum, whole or split at every byte", () => {
    const packet = publish(1000);
    expect(new MqttFrameScanner(packet.length).scan(packet)).toBeNull();
    const scanner = new MqttFrameScanner(packet.length);
    for (let i = 0; i < packet.length; i++) expect(scanner.scan(packet.subarray(i, i + 1))).toBeNull();
  });

  it("follows packet boundaries across chunks (many packets, odd splits)", () => {
    const stream = Buffer.concat([publish(10), PINGREQ, publish(300), publish(0)]);
    const scanner = new MqttFrameScanner(400);
    for (let i = 0; i < stream.length; i += 7) expect(scanner.scan(stream.subarray(i, i + 7))).toBeNull();
    // Had it lost track of the boundaries, the next packet's length bytes would be read wrongly.
    expect(scanner.scan(publish(2000))).toMatch(/exceeds the maximum of 400/);
  });

  it("refuses a packet one byte too large as soon as its length bytes arrive", () => {
    const packet = publish(1000);
    const scanner = new MqttFrameScanner(packet.length - 1);
    expect(scanner.scan(packet.subarray(0, 1))).toBeNull();
    expect(scanner.scan(packet.subarray(1, 3))).toMatch(/exceeds/);
  });

  it("refuses a header announcing 256 MB without waiting for any of it", () => {
    expect(new MqttFrameScanner(1 << 20).scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toMatch(
      /exceeds the maximum/,
    );
  });

  it("refuses a remaining length longer than 4 bytes", () => {
    expect(
      new MqttFrameScanner(Number.MAX_SAFE_INTEGER).scan(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01])),
    ).toMatch(/malformed/);
  });
});
