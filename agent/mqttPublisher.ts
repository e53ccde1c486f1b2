/**
 * The agent's MQTT connection: QoS 1 publishing, and the retained `state` topic that says
 * online when connected and offline through the last will when the connection dies.
 * Each connection announces itself with a fresh sequence number and arms a will with a higher
 * one, so the collector can tell an old connection's late will from the current state.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "../common/logger.js";
import { PROTOCOL_VERSION, type StateMessage, topicFor } from "../protocol/index.js";

export interface PublisherOptions {
  brokerUrl: string;
  gatewayId: string;
  agentVersion: string;
  log: Logger;
  /** Hands out the per-boot sequence numbers shared with snapshots. */
  nextSeq: () => number;
  bootId: () => string;
  clock: () => number;
  /** Unacknowledged publishes held in memory at most; beyond it new snapshots are dropped and counted. */
  maxInFlight?: number;
}

export interface PublisherCounters {
  published: number;
  dropped: number;
  failed: number;
}

export class MqttPublisher {
  readonly counters: PublisherCounters = { published: 0, dropped: 0, failed: 0 };
  readonly #options: PublisherOptions;
  readonly #client: MqttClient;
  readonly #stateTopic: string;
  #inFlight = 0;
  #onlineSeq = 0;

  constructor(options: PublisherOptions) {
    this.#options = options;
    this.#stateTopic = topicFor(options.gatewayId, "state");
    const mqttOptions: IClientOptions = {
      clientId: options.gatewayId,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      will: this.#armWill(),
    };
    this.#client = connect(options.brokerUrl, mqttOptions);
    this.#client.on("connect", () => {
      options.log.info({ broker: options.brokerUrl }, "connected to broker");
      this.#publishState(true, this.#onlineSeq);
    });
    // The next connection attempt sends whatever will is armed now: give it fresh numbers.
    this.#client.on("close", () => {
      this.#client.options.will = this.#armWill();
    });
    this.#client.on("error", (error) => options.log.warn({ err: error.message }, "broker connection error"));
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /** Publishes at QoS 1; resolves when the broker acknowledged, false when dropped or failed. */
  publish(topic: string, payload: string): Promise<boolean> {
    if (this.#inFlight >= (this.#options.maxInFlight ?? 20)) {
      this.counters.dropped++;
      return Promise.resolve(false);
    }
    return this.#send(topic, payload, false);
  }

  async #send(topic: string, payload: string, retain: boolean): Promise<boolean> {
    this.#inFlight++;
    try {
      await this.#client.publishAsync(topic, payload, { qos: 1, retain });
      this.counters.published++;
      return true;
    } catch (error) {
      this.counters.failed++;
      this.#options.log.warn({ err: (error as Error).message, topic }, "publish failed");
      return false;
    } finally {
      this.#inFlight--;
    }
  }

  /** Re-announces the state, e.g. after the boot id changed under a running agent. */
  announce(): void {
    this.#client.options.will = this.#armWill();
    if (this.#client.connected) this.#publishState(true, this.#onlineSeq);
  }

  async close(): Promise<void> {
    if (this.#client.connected) {
      // A clean shutdown sends no will, so say offline ourselves.
      await Promise.race([
        this.#publishState(false, this.#options.nextSeq()),
        sleep(2000, undefined, { ref: false }),
      ]);
    }
    await this.#client.endAsync(false).catch(() => undefined);
  }

  #stateMessage(online: boolean, seq: number): StateMessage {
    return {
      v: PROTOCOL_VERSION,
      type: "state",
      gatewayId: this.#options.gatewayId,
      bootId: this.#options.bootId(),
      seq,
      collectedAt: this.#options.clock(),
      online,
      agentVersion: this.#options.agentVersion,
    };
  }

  #armWill(): NonNullable<IClientOptions["will"]> {
    this.#onlineSeq = this.#options.nextSeq();
    const willSeq = this.#options.nextSeq();
    return {
      topic: this.#stateTopic,
      payload: Buffer.from(JSON.stringify(this.#stateMessage(false, willSeq))),
      qos: 1,
      retain: true,
    };
  }

  #publishState(online: boolean, seq: number): Promise<boolean> {
    // State is never dropped for lack of room: it is what tells support the gateway is alive.
    return this.#send(this.#stateTopic, JSON.stringify(this.#stateMessage(online, seq)), true);
  }
}
