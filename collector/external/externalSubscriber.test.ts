/**
 * External-broker mode against an in-process aedes playing the provider's broker: the
 * collector's PUBACK leaves only after ingest resolved, and a failed store is not acknowledged,
 * so the broker redelivers the message to the collector's persistent session.
 */
import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { waitFor } from "../../test/helpers.js";
import type { IngestSink } from "../embeddedBroker.js";
import type { IngestOutcome } from "../ingest.js";
import {
  type ExternalSubscriber,
  startExternalSubscriber,
  subscriptionFilter,
} from "./externalSubscriber.js";

interface Held {
  topic: string;
  resolve: (outcome: IngestOutcome) => void;
  reject: (error: Error) => void;
}

/** An ingest whose every submission waits until the test settles it. */
function heldIngest(): IngestSink & { held: Held[] } {
  const held: Held[] = [];
  return {
    held,
    submit: (topic) => new Promise((resolve, reject) => held.push({ topic, resolve, reject })),
  };
}

describe("external-broker subscriber", () => {
  let aedes: Aedes;
  let server: Server;
  let port: number;
  let subscriber: ExternalSubscriber | undefined;
  const acks: number[] = [];

  beforeEach(async () => {
    acks.length = 0;
    aedes = await Aedes.createBroker();
    aedes.on("ack", (packet) => {
      if (packet && "messageId" in packet && packet.cmd === "publish") acks.push(packet.messageId as number);
    });
    server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    await subscriber?.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const publish = (topic: string) =>
    new Promise<void>((resolve, reject) =>
      aedes.publish(
        { cmd: "publish", topic, payload: Buffer.from("{}"), qos: 1, retain: false, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );

  it("sends the PUBACK only after ingest committed", async () => {
    const ingest = heldIngest();
    subscriber = startExternalSubscriber(ingest, silentLogger(), {
      url: `mqtt://127.0.0.1:${port}`,
      clientId: "collector-1",
    });
    await subscriber.ready;
    await publish("leaseline/v1/gw-1/snapshot");
    await waitFor("message handed to ingest", () => ingest.held.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acks).toEqual([]);
    ingest.held[0]?.resolve("stored");
    await waitFor("PUBACK", () => acks.length === 1);
  });

  it("does not acknowledge a message it failed to store; the broker redelivers it to the session", async () => {
    const ingest = heldIngest();
    subscriber = startExternalSubscriber(ingest, silentLogger(), {
      url: `mqtt://127.0.0.1:${port}`,
      clientId: "collector-1",
      reconnectDelayMs: 50,
    });
    await subscriber.ready;
    await publish("leaseline/v1/gw-1/snapshot");
    await waitFor("first delivery", () => ingest.held.length === 1);
    ingest.held[0]?.reject(new Error("disk full"));
    await waitFor("redelivery after reconnecting", () => ingest.held.length === 2, 5000);
    expect(acks).toEqual([]);
    expect(ingest.held[1]?.topic).toBe("leaseline/v1/gw-1/snapshot");
    ingest.held[1]?.resolve("stored");
    await waitFor("PUBACK of the redelivery", () => acks.length === 1);
    expect(subscriber.counters.nacks).toBe(1);
    expect(subscriber.counters.connects).toBe(2);
  });

  it("subscribes to every gateway, or through a share group", () => {
    expect(subscriptionFilter(undefined)).toBe("leaseline/v1/+/#");
    expect(subscriptionFilter("collectors")).toBe("$share/collectors/leaseline/v1/+/#");
    expect(() => subscriptionFilter("a/b")).toThrow(/--share-group/);
    expect(() => subscriptionFilter("#")).toThrow(/--share-group/);
  });
});
