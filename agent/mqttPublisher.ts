/**
 * The agent's side of MQTT: sends what the outbox holds, oldest first, at QoS 1 with a window of
 * unacknowledged publishes, and removes each message from the outbox only when the broker has
 * acknowledged it; a lost connection rewinds the outbox so the unacknowledged ones go again.
 * It also keeps the retained `state` topic: online with the agent's health when connected,
 * offline through the last will when the connection dies, offline on a clean shutdown.
 *
 * State sequence numbers: each connection takes `n` for its online message and `n+1` for its
 * will, so a late will of an old connection is older than the next connection's online message.
 * Health refreshes during a connection repeat the online message with the same `n` (the broker
 * keeps the newest retained copy; the collector sees a repeat, not a newer state) because a
 * higher number would outrank the connection's will and a dead gateway would stay online.
 *
 * Commands: with `onCommand`, every connection subscribes to the gateway's own cmd topic
 * (protocol/commands.ts) and hands each payload on, unvalidated (agent/commands/ validates).
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { IClientOptions, MqttClient } from "mqtt";
import type { Logger } from "../common/logger.js";
import { TokenBucket } from "../common/tokenBucket.js";
import { commandTopicFor, PROTOCOL_VERSION, type StateMessage, topicFor } from "../protocol/index.js";
import type { OutboxQueue } from "./outbox/outbox.js";
import {
  Backoff,
  type BackoffOptions,
  DEFAULT_RECONNECT_BASE_MS,
  DEFAULT_RECONNECT_CAP_MS,
} from "./runtime/backoff.js";
import type { BrokerSecurity } from "./runtime/brokerSecurity.js";
import type { AgentHealth } from "./runtime/health.js";
import { DEFAULT_PUBLISH_BURST, DEFAULT_PUBLISH_RATE } from "./runtime/publishPacer.js";
import { ReconnectingClient } from "./runtime/reconnectingClient.js";

/** Unacknowledged publishes at once: enough to fill a link's round trip, small enough to bound memory. */
export const DEFAULT_MAX_IN_FLIGHT = 8;
/** How often the retained state's health is refreshed while connected. */
export const DEFAULT_HEALTH_INTERVAL_MS = 60_000;
/** A clean shutdown waits this long for the broker to take the offline state. */
const OFFLINE_STATE_TIMEOUT_MS = 1000;

export interface PublisherOptions {
  brokerUrl: string;
  gatewayId: string;
  agentVersion: string;
  log: Logger;
  /** Hands out the per-boot sequence numbers shared with snapshots. */
  nextSeq: () => number;
  bootId: () => string;
  clock: () => number;
  outbox: OutboxQueue;
  health: () => AgentHealth;
  security?: BrokerSecurity;
  backoff?: BackoffOptions;
  maxInFlight?: number;
  /** Outbox messages per second sustained (a replayed backlog is paced; see publishPacer.ts). */
  publishRate?: number;
  healthIntervalMs?: number;
  /** A message on the gateway's cmd topic; without it the agent does not subscribe. */
  onCommand?: (payload: Buffer) => void;
}

export interface PublisherCounters {
  /** Outbox messages acknowledged by the broker. */
  published: number;
  /** Publishes whose connection was lost before the acknowledgement (they are sent again). */
  failed: number;
}

type StateWithHealth = StateMessage & { health: AgentHealth };

export class MqttPublisher {
  readonly counters: PublisherCounters = { published: 0, failed: 0 };
  readonly #options: PublisherOptions;
  readonly #outbox: OutboxQueue;
  readonly #connection: ReconnectingClient;
  readonly #stateTopic: string;
  readonly #maxInFlight: number;
  #client: MqttClient | null = null;
  #inFlight = 0;
  #onlineSeq = 0;
  #healthTimer: NodeJS.Timeout | null = null;
  #pumpTimer: NodeJS.Timeout | null = null;
  readonly #pacer: TokenBucket;
  #drainWaiters: Array<() => void> = [];

  constructor(options: PublisherOptions) {
    this.#options = options;
    this.#outbox = options.outbox;
    this.#stateTopic = topicFor(options.gatewayId, "state");
    this.#maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    const onCommand = options.onCommand;
    const commandTopic = commandTopicFor(options.gatewayId);
    this.#pacer = new TokenBucket(
      options.publishRate ?? DEFAULT_PUBLISH_RATE,
      DEFAULT_PUBLISH_BURST,
      performance.now(),
    );
    this.#connection = new ReconnectingClient({
      url: options.brokerUrl,
      clientOptions: () => this.#clientOptions(),
      backoff: new Backoff(
        options.backoff ?? { baseMs: DEFAULT_RECONNECT_BASE_MS, capMs: DEFAULT_RECONNECT_CAP_MS },
      ),
      log: options.log,
      onConnect: (client) => this.#onConnect(client),
      onDisconnect: (client) => this.#onDisconnect(client),
      ...(onCommand
        ? {
            subscriptions: [commandTopic],
            onMessage: (topic: string, payload: Buffer) => {
              if (topic === commandTopic) onCommand(payload);
            },
          }
        : {}),
    });
  }

  get connected(): boolean {
    return this.#client !== null;
  }

  get connections(): number {
    return this.#connection.connections;
  }

  /** Connections on which the cmd topic subscription was granted. */
  get subscribed(): number {
    return this.#connection.subscribed;
  }

  start(): void {
    this.#connection.start();
    this.#healthTimer = setInterval(
      () => this.#refreshState(),
      this.#options.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
    );
    this.#healthTimer.unref();
  }

  /** Something was appended to the outbox: send it if the window allows. */
  notify(): void {
    this.#pump();
  }

  /** The boot id changed: reconnect, so the online message and the will carry the new one. */
  announce(): void {
    void this.#connection.restart();
  }

  /** Resolves true once the outbox is empty, false if `timeoutMs` passes first. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.#drained()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#drainWaiters = this.#drainWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      this.#drainWaiters.push(done);
    });
  }

  /** Says offline (a clean disconnect sends no will) and disconnects; the outbox keeps the rest. */
  async close(): Promise<void> {
    if (this.#healthTimer) clearInterval(this.#healthTimer);
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    await this.#connection.stop(async (client) => {
      const offline = JSON.stringify(this.#state(false, this.#options.nextSeq()));
      await Promise.race([
        client.publishAsync(this.#stateTopic, offline, { qos: 1, retain: true }),
        sleep(OFFLINE_STATE_TIMEOUT_MS, undefined, { ref: false }),
      ]);
    });
  }

  #clientOptions(): IClientOptions {
    this.#onlineSeq = this.#options.nextSeq();
    const will = this.#state(false, this.#options.nextSeq());
    return {
      clientId: this.#options.gatewayId,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      // mqtt-packet would otherwise pre-build 65,536 two-byte Buffers for packet ids: ~7 MB of heap
      // to save an allocation per publish on a client that publishes a few times a minute.
      writeCache: false,
      will: { topic: this.#stateTopic, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
      ...this.#options.security,
    };
  }

  #onConnect(client: MqttClient): void {
    this.#client = client;
    this.#inFlight = 0;
    this.#outbox.rewind();
    // Online first: the state of this connection precedes whatever the outbox replays.
    this.#refreshState();
    this.#pump();
  }

  #onDisconnect(client: MqttClient): void {
    if (this.#client !== client) return;
    this.#client = null;
    this.counters.failed += this.#inFlight;
    this.#inFlight = 0;
    this.#outbox.rewind();
  }

  #pump(): void {
    const client = this.#client;
    if (!client) return;
    while (this.#inFlight < this.#maxInFlight) {
      const waitMs = this.#pacer.waitMs(performance.now());
      if (waitMs > 0) {
        this.#pumpTimer ??= setTimeout(() => {
          this.#pumpTimer = null;
          this.#pump();
        }, waitMs);
        break;
      }
      const entry = this.#outbox.take();
      if (!entry) break;
      this.#pacer.take(performance.now());
      this.#inFlight++;
      client.publish(entry.topic, entry.payload, { qos: 1 }, (error) => {
        // A callback from a connection already given up: the outbox was rewound and will resend.
        if (this.#client !== client) return;
        this.#inFlight--;
        if (error) {
          this.counters.failed++;
          this.#options.log.warn({ err: error.message, topic: entry.topic }, "publish failed; reconnecting");
          void this.#connection.restart();
          return;
        }
        this.#outbox.ack(entry.id);
        this.counters.published++;
        this.#pump();
        if (this.#drained()) for (const waiter of this.#drainWaiters.splice(0)) waiter();
      });
    }
  }

  #drained(): boolean {
    return this.#outbox.stats.messages === 0;
  }

  #state(online: boolean, seq: number): StateWithHealth {
    return {
      v: PROTOCOL_VERSION,
      type: "state",
      gatewayId: this.#options.gatewayId,
      bootId: this.#options.bootId(),
      seq,
      collectedAt: this.#options.clock(),
      online,
      agentVersion: this.#options.agentVersion,
      health: this.#options.health(),
    };
  }

  #refreshState(): void {
    const client = this.#client;
    if (!client) return;
    const payload = JSON.stringify(this.#state(true, this.#onlineSeq));
    client.publish(this.#stateTopic, payload, { qos: 1, retain: true }, (error) => {
      if (error && this.#client === client)
        this.#options.log.warn({ err: error.message }, "state publish failed");
    });
  }
}
