/**
 * Sends commands to gateways (protocol/commands.ts) through whichever broker the collector uses,
 * and says whether a gateway is there to receive one. Commands are never retained, so a gateway
 * that is not connected would never see one: it is refused instead, with the reason.
 * Embedded broker: online means a client with the gateway's id is connected now. External
 * broker: the collector cannot see the broker's clients, so online is what the gateway's retained
 * `state` message last said (its last will says offline when its connection drops).
 */
import type { Command } from "../../protocol/index.js";
import type { EmbeddedBroker } from "../embeddedBroker.js";
import type { ExternalSubscriber } from "../external/externalSubscriber.js";
import { type Db, statement } from "../store/openDatabase.js";

export interface CommandSender {
  /** Why the gateway cannot receive a command now, or null when it can. */
  offlineReason(gatewayId: string): string | null;
  send(gatewayId: string, command: Command): Promise<void>;
}

/** A command the broker has not taken within this long is reported as not sent. */
export const SEND_TIMEOUT_MS = 5000;

export function embeddedCommandSender(broker: EmbeddedBroker): CommandSender {
  return {
    offlineReason: (gatewayId) =>
      broker.isConnected(gatewayId)
        ? null
        : `${gatewayId} is offline: it has no connection to the collector's broker now`,
    send: (gatewayId, command) => withTimeout(broker.sendCommand(gatewayId, command)),
  };
}

export function externalCommandSender(external: ExternalSubscriber, db: Db): CommandSender {
  return {
    offlineReason(gatewayId) {
      if (!external.connected()) return "the collector is not connected to the external broker now";
      const row = statement<[string], { online: number }>(
        db,
        "SELECT online FROM gateways WHERE gateway_id = ?",
      ).get(gatewayId);
      if (!row) return `${gatewayId} has never said it is online`;
      return row.online === 1 ? null : `${gatewayId} is offline: its last state message said so`;
    },
    send: (gatewayId, command) => withTimeout(external.sendCommand(gatewayId, command)),
  };
}

function withTimeout(sending: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the broker did not take the command within ${SEND_TIMEOUT_MS / 1000} s`)),
      SEND_TIMEOUT_MS,
    );
  });
  return Promise.race([sending, timeout]).finally(() => clearTimeout(timer));
}
