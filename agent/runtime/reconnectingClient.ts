/**
 * One MQTT connection at a time, re-established after every loss with jittered exponential
 * backoff. mqtt.js reconnects by itself at a fixed `reconnectPeriod`; changing
 * `client.options.reconnectPeriod` before each attempt does work (its timer is re-armed from the
 * options after every failed attempt), but a reconnecting mqtt.js client also replays its own
 * in-memory store of unacknowledged publishes, a second queue beside the outbox that would resend
 * the same messages twice and acknowledge them behind the outbox's back. So reconnectPeriod is 0
 * and every attempt is a fresh client, ended with force when its connection closes: its pending
 * publishes fail at once (the outbox sends them again), and each connection arms a fresh will.
 * The session is clean, so each connection subscribes afresh (QoS 1) to `subscriptions`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "../../common/logger.js";
import type { Backoff } from "./backoff.js";

/** A connection that stayed up this long was a real one: the next outage starts the backoff afresh. */
export const STABLE_CONNECTION_MS = 30_000;
/** How long a clean disconnect may wait for the broker before the socket is simply closed. */
const END_TIMEOUT_MS = 1000;

export interface ReconnectingClientOptions {
  url: string;
  /** Options for the next attempt, built fresh each time (each connection arms its own will). */
  clientOptions: () => IClientOptions;
  backoff: Backoff;
  log: Logger;
  onConnect: (client: MqttClient) => void;
  /** A connection that had been established is gone (lost, restarted or stopped). */
  onDisconnect: (client: MqttClient) => void;
  /** Topics subscribed at QoS 1 on every connection. */
  subscriptions?: readonly string[];
  /** A message on one of the subscriptions, from the current connection only. */
  onMessage?: (topic: string, payload: Buffer) => void;
  stableMs?: number;
}

export class ReconnectingClient {
  readonly #options: ReconnectingClientOptions;
  #current: MqttClient | null = null;
  #connectedAt: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #restarting = false;
  /** Connections established, the first included. */
  connections = 0;
  /** Connections on which the broker granted every subscription. */
  subscribed = 0;

  constructor(options: ReconnectingClientOptions) {
    this.#options = options;
  }

  /** The client when connected, else null. */
  get client(): MqttClient | null {
    return this.#current?.connected ? this.#current : null;
  }

  start(): void {
    if (!this.#current && !this.#timer && !this.#stopped) this.#attempt();
  }

  /** Ends the current connection cleanly and connects again at once, e.g. to arm a new will. */
  async restart(): Promise<void> {
    if (this.#stopped || this.#restarting) return;
    this.#restarting = true;
    try {
      await this.#retire();
    } finally {
      this.#restarting = false;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (!this.#stopped) this.#attempt();
  }

  /** Stops reconnecting; `beforeEnd` runs on a connected client before the clean disconnect. */
  async stop(beforeEnd?: (client: MqttClient) => Promise<void>): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const client = this.client;
    if (client && beforeEnd) await beforeEnd(client).catch(() => undefined);
    await this.#retire();
  }

  async #retire(): Promise<void> {
    const client = this.#current;
    this.#current = null;
    if (!client) return;
    // Detach first: nothing may act on this client's late callbacks as if it were still current.
    if (this.#connectedAt !== null) this.#options.onDisconnect(client);
    this.#connectedAt = null;
    if (client.connected) {
      await Promise.race([
        client.endAsync(false).catch(() => undefined),
        sleep(END_TIMEOUT_MS, undefined, { ref: false }),
      ]);
    }
    // Whatever is still pending fails now instead of hanging on a dead client.
    if (!client.disconnected) client.stream?.destroy();
    client.end(true);
  }

  #attempt(): void {
    const o = this.#options;
    const client = connect(o.url, { ...o.clientOptions(), reconnectPeriod: 0 });
    this.#current = client;
    client.on("connect", () => {
      if (this.#current !== client) return;
      this.#connectedAt = Date.now();
      this.connections++;
      o.log.info({ broker: o.url, attempt: o.backoff.attempt }, "connected to broker");
      o.onConnect(client);
      this.#subscribe(client);
    });
    client.on("message", (topic, payload) => {
      if (this.#current !== client) return;
      try {
        o.onMessage?.(topic, payload);
      } catch (error) {
        o.log.error({ err: error, topic }, "message handler failed; message dropped");
      }
    });
    client.on("error", (error) =>
      o.log.warn({ broker: o.url, err: error.message }, "broker connection error"),
    );
    client.on("close", () => {
      if (this.#current !== client) return;
      this.#current = null;
      const connectedAt = this.#connectedAt;
      this.#connectedAt = null;
      if (connectedAt !== null) {
        if (Date.now() - connectedAt >= (o.stableMs ?? STABLE_CONNECTION_MS)) o.backoff.reset();
        o.log.warn({ broker: o.url }, "connection to broker lost");
        o.onDisconnect(client);
      }
      // After onDisconnect: ending fails the pending publishes, whose callbacks must find the client detached.
      client.end(true);
      if (this.#stopped) return;
      const delayMs = o.backoff.next();
      o.log.info({ delayMs, attempt: o.backoff.attempt }, "reconnecting after a delay");
      this.#timer = setTimeout(() => {
        this.#timer = null;
        if (!this.#stopped) this.#attempt();
      }, delayMs);
      this.#timer.unref();
    });
  }

  #subscribe(client: MqttClient): void {
    const o = this.#options;
    const topics = o.subscriptions ?? [];
    if (topics.length === 0) return;
    client.subscribe([...topics], { qos: 1 }, (error, granted) => {
      if (this.#current !== client) return;
      if (error) {
        o.log.warn({ err: error.message, topics }, "subscription failed");
        return;
      }
      // A refusal is SUBACK 0x80 (128), not an error: the broker does not let this client read the topic.
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) o.log.warn({ topics: refused }, "subscription refused by the broker");
      else {
        this.subscribed++;
        o.log.debug({ topics }, "subscribed");
      }
    });
  }
}
