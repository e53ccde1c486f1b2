/**
 * External-broker mode: the collector subscribes to gateways' topics on a broker the provider
 * runs (Mosquitto, EMQX, HiveMQ, ...) instead of embedding one. It keeps a persistent session
 * (clean: false, a stable client id, QoS 1), so messages published while it is down wait on the
 * broker, and it acknowledges each message only after ingest committed it: mqtt.js sends the
 * PUBACK from the callback of `handleMessage`, which we call only once the transaction
 * committed. If storing fails the connection is dropped without a PUBACK and the broker
 * redelivers the message to the restored session.
 *
 * With `shareGroup`, several collectors split the stream (`$share/<group>/...`, MQTT 5): each
 * message goes to one of them. A gateway's messages may then be stored out of order by two
 * collectors; the store's sequence rules make an older snapshot arriving late change nothing.
 * Authorization of gateways is the external broker's job (ACLs such as Mosquitto's
 * `pattern write leaseline/v1/%u/snapshot` and `pattern read leaseline/v1/%u/cmd`; deploy/README.md).
 *
 * Commands to gateways are published through the same connection (QoS 1, not retained). The
 * subscription's wildcard also brings them back, and other collectors' commands too: they are
 * acknowledged and skipped, never handed to ingest.
 */
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "../../common/logger.js";
import { ALL_GATEWAYS_FILTER, type Command, commandTopicFor } from "../../protocol/index.js";
import { isCommandTopic } from "../broker/authorization.js";
import type { IngestSink } from "../embeddedBroker.js";

export interface ExternalBrokerOptions {
  /** `mqtt://HOST:PORT` or `mqtts://HOST:PORT`. */
  url: string;
  /** Stable across restarts, so the broker keeps the session; unique per collector. */
  clientId: string;
  shareGroup?: string;
  username?: string;
  password?: string;
  /** CA the broker's certificate must chain to (mqtts://); the system's CAs otherwise. */
  ca?: Buffer;
  /** Client certificate and key, for brokers that authenticate clients by certificate. */
  cert?: Buffer;
  key?: Buffer;
  /** First reconnect delay; doubles up to `maxReconnectDelayMs`, with jitter. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

export interface ExternalSubscriber {
  readonly counters: { connects: number; nacks: number };
  connected(): boolean;
  /** Resolves at the first successful subscription. */
  readonly ready: Promise<void>;
  /**
   * Publishes a command to the gateway's command topic (QoS 1, not retained); resolves when the
   * broker acknowledged it. Rejects at once while the collector is not connected to the broker.
   */
  sendCommand(gatewayId: string, command: Command): Promise<void>;
  close(): Promise<void>;
}

/** How long the broker keeps our session while we are away: a week of outage loses nothing. */
export const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

/** Share group names are one topic level without wildcards. */
const SHARE_GROUP_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function subscriptionFilter(shareGroup: string | undefined): string {
  if (shareGroup === undefined) return ALL_GATEWAYS_FILTER;
  if (!SHARE_GROUP_PATTERN.test(shareGroup)) {
    throw new Error(`--share-group: ${JSON.stringify(shareGroup)} must be 1-64 of A-Z a-z 0-9 . _ -`);
  }
  return `$share/${shareGroup}/${ALL_GATEWAYS_FILTER}`;
}

export function startExternalSubscriber(
  ingest: IngestSink,
  log: Logger,
  options: ExternalBrokerOptions,
): ExternalSubscriber {
  const filter = subscriptionFilter(options.shareGroup);
  const v5 = options.shareGroup !== undefined;
  const counters = { connects: 0, nacks: 0 };
  const firstDelay = options.reconnectDelayMs ?? 1000;
  const maxDelay = options.maxReconnectDelayMs ?? 30_000;
  let delay = firstDelay;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let closing = false;
  let subscribed = false;
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const mqttOptions: IClientOptions = {
    clientId: options.clientId,
    protocolVersion: v5 ? 5 : 4,
    clean: false,
    keepalive: 30,
    connectTimeout: 10_000,
    // Reconnection is ours: exponential backoff with jitter instead of a fixed interval.
    reconnectPeriod: 0,
    resubscribe: false,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.cert && options.key ? { cert: options.cert, key: options.key } : {}),
    ...(v5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_SECONDS } } : {}),
  };
  const client: MqttClient = connect(options.url, mqttOptions);

  // mqtt.js handles one incoming message at a time and writes the PUBACK in this callback.
  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
    if (isCommandTopic(packet.topic)) {
      callback();
      return;
    }
    ingest.submit(packet.topic, packet.payload).then(
      () => callback(),
      (error: Error) => {
        counters.nacks++;
        log.error(
          { err: error.message, topic: packet.topic.slice(0, 200) },
          "storing a message failed: not acknowledged; reconnecting so the broker redelivers it",
        );
        // Without a PUBACK the message stays in our session; dropping the connection makes the broker resend it.
        client.stream?.destroy();
        callback(error);
      },
    );
  };

  client.on("connect", (connack) => {
    counters.connects++;
    delay = firstDelay;
    log.info(
      { broker: options.url, clientId: options.clientId, sessionPresent: connack.sessionPresent, filter },
      "connected to external broker",
    );
    client.subscribe(filter, { qos: 1 }, (error, granted) => {
      const code = granted?.[0]?.qos;
      if (error || code === undefined || code >= 0x80) {
        log.error(
          { filter, err: error?.message, code },
          "subscription refused by the broker; check its ACL for this collector's user",
        );
        client.stream?.destroy();
        return;
      }
      subscribed = true;
      resolveReady();
    });
  });
  client.on("close", () => {
    subscribed = false;
    if (closing) return;
    const wait = Math.round(delay * (0.5 + Math.random() / 2));
    delay = Math.min(delay * 2, maxDelay);
    log.warn({ broker: options.url, retryInMs: wait }, "external broker connection closed");
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (!closing) client.reconnect();
    }, wait);
  });
  client.on("disconnect", (packet) => {
    // MQTT 5 reason 0x8E: another connection took our client id (two collectors with one --client-id).
    if (packet.reasonCode === 0x8e) {
      log.error(
        { clientId: options.clientId },
        "session taken over: another collector uses the same --client-id; give each collector its own",
      );
    }
  });
  client.on("error", (error) =>
    log.warn({ err: error.message, broker: options.url }, "external broker error"),
  );

  return {
    counters,
    connected: () => client.connected && subscribed,
    ready,
    async sendCommand(gatewayId, command) {
      if (!client.connected) throw new Error(`not connected to the external broker ${options.url}`);
      await client.publishAsync(commandTopicFor(gatewayId), JSON.stringify(command), {
        qos: 1,
        retain: false,
      });
    },
    async close() {
      closing = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      // Not forced: a message being stored finishes and is acknowledged before the disconnect.
      await client.endAsync(false).catch(() => undefined);
    },
  };
}
