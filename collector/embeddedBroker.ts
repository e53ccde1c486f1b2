/**
 * The collector's embedded MQTT broker (aedes over TCP). Ingest happens inside aedes'
 * authorizePublish hook, which runs before the PUBACK is written: a QoS 1 message is thus
 * acknowledged only after its transaction committed. (aedes' `published` hook runs after the
 * PUBACK, so storing there would lose acknowledged data if the collector died.)
 */
import { createServer, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";
import type { Logger } from "../common/logger.js";
import type { Ingest } from "./ingest.js";

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
}

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  readonly server: Server;
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(
  ingest: Ingest,
  log: Logger,
  options: EmbeddedBrokerOptions,
): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({
    // Gateway ids are the MQTT client ids and may be longer than MQTT 3.1's 23 characters.
    maxClientsIdLength: 64,
    authorizePublish(_client, packet, callback) {
      if (packet.topic.startsWith("$SYS/")) return callback(new Error("$SYS is reserved for the broker"));
      ingest.submit(packet.topic, packet.payload).then(
        (outcome) => {
          // An invalid payload is acknowledged and dropped: refusing it would close the connection and
          // the client would resend the same payload forever. It must never become a retained message.
          if (outcome === "rejected") packet.retain = false;
          callback(null);
        },
        (error: Error) => callback(error),
      );
    },
  });
  aedes.on("clientError", (client, error) => {
    log.warn({ clientId: client?.id, err: error.message }, "client error");
  });
  const server = createServer({ noDelay: true }, (socket: Socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  log.info({ host: options.host, port }, "embedded MQTT broker listening");
  return {
    aedes,
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // aedes.close() disconnects every client, which lets server.close() complete.
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
