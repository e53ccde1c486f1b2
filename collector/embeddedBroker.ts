/**
 * The collector's embedded MQTT broker (aedes over TCP or TLS). Ingest happens inside aedes'
 * authorizePublish hook, which runs before the PUBACK is written: a QoS 1 message is thus
 * acknowledged only after its transaction committed, and a failed commit closes the client
 * without a PUBACK. (aedes' `published` hook runs after the PUBACK, so storing there would lose
 * acknowledged data if the collector died.)
 *
 * Security: every socket passes a frame guard that refuses oversized packets before buffering
 * them; an address that keeps failing authentication is banned; once any gateway credential
 * exists, every client must log in as a gateway (username = client id = gateway id) and may
 * publish and subscribe only inside its own subtree (collector/broker/authorization.ts).
 * Without credentials the broker serves anonymous clients, and only on loopback.
 */
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import type { Logger } from "../common/logger.js";
import { TokenBucket } from "../common/tokenBucket.js";
import { type Command, commandTopicFor, parseTopic, topicFor } from "../protocol/index.js";
import type { GatewayAuthenticator } from "./auth/gatewayAuthenticator.js";
import { AuthFailureBan, type BanPolicy, DEFAULT_BAN_POLICY } from "./broker/authFailureBan.js";
import {
  gatewayConnectRefusal,
  type Identity,
  publishRefusal,
  subscribeRefusal,
} from "./broker/authorization.js";
import { GuardedConnection, normalizeAddress } from "./broker/frameGuard.js";
import {
  CONNECT_TIMEOUT_MS,
  DRAIN_TIMEOUT_MS,
  MAX_CLIENT_ID_LENGTH,
  MAX_PACKET_BYTES,
  MAX_TOPIC_LEVELS,
  PUBLISH_BURST,
  PUBLISH_MAX_THROTTLE_MS,
  PUBLISH_RATE_PER_SECOND,
  TLS_HANDSHAKE_TIMEOUT_MS,
} from "./broker/limits.js";
import type { IngestOutcome } from "./ingest.js";

/** What the broker needs from ingest: resolve once stored (or rejected as invalid), reject if storing failed. */
export interface IngestSink {
  submit(topic: string, payload: Uint8Array | string): Promise<IngestOutcome>;
}

export interface BrokerLimits {
  maxPacketBytes: number;
  maxTopicLevels: number;
  publishRatePerSecond: number;
  publishBurst: number;
  /** How far behind its rate a client may fall (its publishes delayed) before it is closed. */
  maxThrottleMs: number;
  ban: BanPolicy;
}

export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  maxPacketBytes: MAX_PACKET_BYTES,
  maxTopicLevels: MAX_TOPIC_LEVELS,
  publishRatePerSecond: PUBLISH_RATE_PER_SECOND,
  publishBurst: PUBLISH_BURST,
  maxThrottleMs: PUBLISH_MAX_THROTTLE_MS,
  ban: DEFAULT_BAN_POLICY,
};

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** When given, clients must present a certificate that chains to it (mutual TLS). */
  ca?: Buffer;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** TLS listener when given, plain TCP otherwise. */
  tls?: TlsFiles;
  authenticator: GatewayAuthenticator;
  /** Anonymous clients are served only when this is true (the listener is loopback) and no credential exists. */
  allowAnonymous: boolean;
  limits?: Partial<BrokerLimits>;
  /** For bans and rate limits; ms. */
  clock?: () => number;
}

export const REFUSAL_REASONS = [
  "banned",
  "bad-credentials",
  "identity",
  "anonymous",
  "publish-denied",
  "subscribe-denied",
  "rate-limit",
  "packet-too-large",
  "topic-too-deep",
  "tls-handshake",
  "revoked",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  readonly server: Server;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Refused connections, packets and clients, by reason. */
  readonly refused: Record<RefusalReason, number>;
  /** Connected, authenticated clients. */
  connectedClients(): number;
  /**
   * Disconnects clients whose credential was removed or changed since they logged in, and
   * anonymous clients once credentials exist. Cheap when nothing changed; returns how many it closed.
   */
  revalidateCredentials(): number;
  /**
   * Clears the gateway's retained `state` message (privacy erase): an empty retained payload
   * deletes it from the broker's store and tells subscribers it is gone. Resolves when done.
   */
  clearRetained(gatewayId: string): Promise<void>;
  /** Whether a client with this id (a gateway's client id is its gateway id) is connected now. */
  isConnected(gatewayId: string): boolean;
  /**
   * Publishes a command to the gateway's command topic, QoS 1 and not retained: it is for the
   * connection that is there now. Resolves once the broker has handed it to the subscribers.
   */
  sendCommand(gatewayId: string, command: Command): Promise<void>;
  close(): Promise<void>;
}

interface Session {
  identity: Identity;
  /** The stored hash the client logged in with; a gateway whose stored hash changes is disconnected. */
  storedHash: string | null;
  bucket: TokenBucket;
}

/** An error the broker already counted and logged: aedes' clientError event must not log it again. */
class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Refusal";
  }
}

function authError(message: string, returnCode: 2 | 4 | 5): AuthenticateError {
  return Object.assign(new Refusal(message), { returnCode }) as unknown as AuthenticateError;
}

export async function startEmbeddedBroker(
  ingest: IngestSink,
  log: Logger,
  options: EmbeddedBrokerOptions,
): Promise<EmbeddedBroker> {
  const limits: BrokerLimits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const clock = options.clock ?? Date.now;
  const { authenticator } = options;
  const ban = new AuthFailureBan(limits.ban);
  const refused = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>;
  const sessions = new Map<Client, Session>();
  const willTopics = new WeakMap<Client, string | undefined>();
  let credentialsVersion = -1;

  const addressOf = (client: Client | null): string =>
    (client?.conn as GuardedConnection | undefined)?.remoteAddress ?? "(unknown)";

  const refuse = (reason: RefusalReason, client: Client | null, message: string, level: "warn" | "info") => {
    refused[reason]++;
    log[level]({ clientId: client?.id, address: addressOf(client), reason, detail: message }, "refused");
  };

  const aedes = await Aedes.createBroker({
    maxClientsIdLength: MAX_CLIENT_ID_LENGTH,
    maxTopicLevels: limits.maxTopicLevels,
    connectTimeout: CONNECT_TIMEOUT_MS,
    drainTimeout: DRAIN_TIMEOUT_MS,

    preConnect(client, packet, callback) {
      const address = addressOf(client);
      if (ban.isBanned(address, clock())) {
        refused.banned++;
        return callback(new Refusal(`${address} is banned after repeated authentication failures`), false);
      }
      willTopics.set(client, packet.will?.topic);
      callback(null, true);
    },

    authenticate(client, username, password, callback) {
      const fail = (reason: RefusalReason, message: string, returnCode: 2 | 4 | 5) => {
        refuse(reason, client, message, "warn");
        const address = addressOf(client);
        if (ban.recordFailure(address, clock())) {
          log.warn(
            { address, banMinutes: limits.ban.banMs / 60_000 },
            "address banned after repeated authentication failures",
          );
        }
        callback(authError(message, returnCode), false);
      };
      const admit = (identity: Identity, storedHash: string | null) => {
        const bucket = new TokenBucket(limits.publishRatePerSecond, limits.publishBurst, clock());
        sessions.set(client, { identity, storedHash, bucket });
        callback(null, true);
      };

      let required: boolean;
      try {
        required = authenticator.anyConfigured();
      } catch (error) {
        log.error({ err: error }, "cannot read gateway credentials; refusing the connection");
        return callback(authError("credentials unavailable", 5), false);
      }
      if (!required) {
        if (options.allowAnonymous) return admit({ kind: "anonymous" }, null);
        // Reachable only if every credential was removed while listening off loopback.
        return fail("anonymous", "no gateway credential is configured and the broker is not on loopback", 5);
      }
      const refusal = gatewayConnectRefusal({
        clientId: client.id,
        username: username ?? undefined,
        willTopic: willTopics.get(client),
      });
      if (refusal) return fail("identity", refusal, refusal.startsWith("the client id") ? 2 : 5);
      if (!password || password.length === 0) return fail("bad-credentials", "no password", 4);
      const gatewayId = username as string;
      authenticator.verify(gatewayId, password).then(
        (storedHash) => {
          if (storedHash === null) fail("bad-credentials", "wrong password or unknown gateway", 4);
          else admit({ kind: "gateway", gatewayId }, storedHash);
        },
        (error: Error) => {
          log.error({ err: error, gatewayId }, "password check failed; refusing the connection");
          callback(authError("credentials unavailable", 5), false);
        },
      );
    },

    authorizePublish(client, packet, callback) {
      // A null client is a will aedes publishes for a connection that is already gone.
      const session = client ? sessions.get(client) : undefined;
      const identity: Identity | undefined = client ? session?.identity : { kind: "anonymous" };
      if (!identity) return callback(new Refusal("not authenticated"));
      const refusal = publishRefusal(identity, packet.topic);
      if (refusal) {
        refuse("publish-denied", client, `${refusal} (topic ${packet.topic.slice(0, 200)})`, "warn");
        return callback(new Refusal(refusal));
      }
      // Only the state topic is meant to be retained; anything else retained would pile up in memory.
      if (packet.retain && parseTopic(packet.topic)?.kind !== "state") packet.retain = false;
      const store = () =>
        ingest.submit(packet.topic, packet.payload).then(
          (outcome) => {
            // An invalid payload is acknowledged and dropped: refusing it would close the connection and
            // the client would resend the same payload forever. It must never become a retained message.
            if (outcome === "rejected" || outcome === "erased") packet.retain = false;
            callback(null);
          },
          // Not stored: the client is closed without a PUBACK and will resend.
          (error: Error) => callback(error),
        );
      // A closing client's will is the broker's doing, not the client's rate.
      const wait = client && !client.closed && session ? session.bucket.reserve(clock()) : 0;
      if (wait > limits.maxThrottleMs) {
        refuse(
          "rate-limit",
          client,
          `far above ${limits.publishRatePerSecond} publishes/s sustained`,
          "warn",
        );
        return callback(new Refusal("publish rate limit exceeded"));
      }
      // Over its rate: delay this publish (and so its PUBACK, and aedes' reading of the client's socket).
      if (wait > 0) setTimeout(store, wait).unref();
      else store();
    },

    authorizeSubscribe(client, subscription, callback) {
      const identity = sessions.get(client)?.identity;
      const refusal = identity ? subscribeRefusal(identity, subscription.topic) : "not authenticated";
      if (refusal) {
        refuse("subscribe-denied", client, `${refusal} (filter ${subscription.topic.slice(0, 200)})`, "warn");
        // A negated subscription: SUBACK says 0x80 (failure) and nothing is delivered.
        return callback(null, null);
      }
      callback(null, subscription);
    },
  });

  /** Connected clients by client id, for the online check before a command is sent. */
  const byId = new Map<string, Client>();
  aedes.on("clientReady", (client) => byId.set(client.id, client));
  aedes.on("clientDisconnect", (client) => {
    sessions.delete(client);
    if (byId.get(client.id) === client) byId.delete(client.id);
  });
  const onClientError = (client: Client | null, error: Error) => {
    if (client) sessions.delete(client);
    if (error instanceof Refusal) return;
    if (error.message === "topic has too many levels") {
      refuse("topic-too-deep", client, `more than ${limits.maxTopicLevels} topic levels`, "warn");
      return;
    }
    if (error.message.startsWith("packet of at least")) return; // counted by the frame guard
    log.warn({ clientId: client?.id, address: addressOf(client), err: error.message }, "client error");
  };
  aedes.on("clientError", onClientError);
  aedes.on("connectionError", onClientError);

  const onSocket = (socket: Socket) => {
    socket.setNoDelay(true);
    const address = normalizeAddress(socket.remoteAddress) ?? "(unknown)";
    if (ban.isBanned(address, clock())) {
      refused.banned++;
      socket.destroy();
      return;
    }
    const conn = new GuardedConnection(socket, limits.maxPacketBytes, (reason) => {
      refused["packet-too-large"]++;
      log.warn({ address, detail: reason }, "refused");
    });
    aedes.handle(conn);
  };

  let server: Server;
  if (options.tls) {
    const { cert, key, ca } = options.tls;
    const tlsServer = createTlsServer({
      cert,
      key,
      ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
      minVersion: "TLSv1.2",
      handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
    });
    tlsServer.on("secureConnection", (socket: TLSSocket) => onSocket(socket));
    tlsServer.on("tlsClientError", (error, socket) => {
      refused["tls-handshake"]++;
      log.info(
        { address: normalizeAddress(socket.remoteAddress), err: error.message },
        "TLS handshake failed",
      );
    });
    server = tlsServer;
  } else {
    server = createServer({ noDelay: true }, onSocket);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  log.info(
    { host: options.host, port, tls: Boolean(options.tls), mutualTls: Boolean(options.tls?.ca) },
    "embedded MQTT broker listening",
  );
  const pruneTimer = setInterval(() => {
    ban.prune(clock());
    // A client admitted but closed before aedes registered it never gets a clientDisconnect.
    for (const client of sessions.keys()) if (client.closed) sessions.delete(client);
  }, limits.ban.windowMs);
  pruneTimer.unref();

  return {
    aedes,
    server,
    port,
    refused,
    connectedClients: () => aedes.connectedClients,
    clearRetained: (gatewayId) =>
      new Promise<void>((resolve, reject) => {
        aedes.publish(
          {
            cmd: "publish",
            topic: topicFor(gatewayId, "state"),
            payload: Buffer.alloc(0),
            qos: 0,
            retain: true,
            dup: false,
          },
          (error) => (error ? reject(error) : resolve()),
        );
      }),
    isConnected(gatewayId) {
      const client = byId.get(gatewayId);
      if (client && (client.closed || !client.connected)) byId.delete(gatewayId);
      return client !== undefined && !client.closed && client.connected;
    },
    sendCommand: (gatewayId, command) =>
      new Promise<void>((resolve, reject) => {
        aedes.publish(
          {
            cmd: "publish",
            topic: commandTopicFor(gatewayId),
            payload: Buffer.from(JSON.stringify(command)),
            qos: 1,
            retain: false,
            dup: false,
          },
          (error) => (error ? reject(error) : resolve()),
        );
      }),
    revalidateCredentials() {
      const version = authenticator.credentialsVersion();
      if (version === credentialsVersion) return 0;
      credentialsVersion = version;
      const required = authenticator.anyConfigured();
      let closed = 0;
      for (const [client, session] of sessions) {
        if (client.closed) {
          sessions.delete(client);
          continue;
        }
        const stale =
          session.identity.kind === "anonymous"
            ? required
            : authenticator.currentHash(session.identity.gatewayId) !== session.storedHash;
        if (stale) {
          refuse("revoked", client, "credential removed or changed since login", "info");
          sessions.delete(client);
          client.close();
          closed++;
        }
      }
      return closed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(pruneTimer);
        // Stop accepting first; aedes.close() then disconnects every client, which lets the server close.
        server.close(() => resolve());
        aedes.close();
      }),
  };
}
