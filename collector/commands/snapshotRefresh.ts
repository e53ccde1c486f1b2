/**
 * Asks a gateway for a full snapshot now (the `snapshot` command). Answers with where the
 * gateway's snapshots stood when asking (boot and sequence number), so the caller can tell when a
 * newer one has been stored.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../../common/logger.js";
import { PROTOCOL_VERSION } from "../../protocol/index.js";
import { type Db, statement } from "../store/openDatabase.js";
import { type CommandOutcome, refused } from "./commandOutcome.js";
import type { CommandSender } from "./commandSender.js";

export async function requestSnapshot(
  db: Db,
  sender: CommandSender,
  gatewayId: string,
  now: number,
  log: Pick<Logger, "info" | "warn">,
): Promise<CommandOutcome> {
  const gateway = statement<[string], { boot_id: string; last_snapshot_seq: number }>(
    db,
    "SELECT boot_id, last_snapshot_seq FROM gateways WHERE gateway_id = ?",
  ).get(gatewayId);
  if (!gateway) return refused(404, `no gateway ${JSON.stringify(gatewayId)}`);
  const offline = sender.offlineReason(gatewayId);
  if (offline) return refused(409, `${offline}; a fresh snapshot needs the gateway online`);
  const commandId = randomUUID();
  try {
    await sender.send(gatewayId, { v: PROTOCOL_VERSION, type: "command", id: commandId, action: "snapshot" });
  } catch (error) {
    log.warn({ gatewayId, err: (error as Error).message }, "snapshot command not sent");
    return refused(503, `the snapshot command could not be sent: ${(error as Error).message}`);
  }
  log.info({ gatewayId, commandId }, "snapshot requested");
  return {
    ok: true,
    status: 202,
    body: {
      commandId,
      status: "requested",
      requestedAt: new Date(now).toISOString(),
      bootId: gateway.boot_id,
      lastSnapshotSeq: gateway.last_snapshot_seq,
    },
  };
}
