/**
 * Privacy erase in the database: deletes every row about a gateway (or one device on it) from
 * every table that holds such data, then checkpoints the WAL with TRUNCATE so that, with
 * secure_delete on, the MAC and hostname bytes are left neither in the database file nor in the WAL.
 * A gateway's broker credential is access control, not data about it: kept (remove it with
 * `leaseline collector gateways remove`).
 */
import { checkpointTruncate, type Db } from "../store/openDatabase.js";
import type { PrivacySubject } from "./privacyExport.js";
import { tablesAboutGateways } from "./tablesAbout.js";

/** Tables an erase leaves alone, with the reason printed to the privacy officer. */
export const KEPT_ON_ERASE: Readonly<Record<string, string>> = {
  gateway_credentials:
    "the gateway's broker credential (no data about it; `collector gateways remove` deletes it)",
};

export interface EraseResult {
  subject: PrivacySubject;
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  kept: Record<string, string>;
  /** False when a reader kept the truncating checkpoint from completing (retry; the sweep also retries). */
  checkpointed: boolean;
}

/** Readers hold a snapshot only briefly; a few tries let the checkpoint pass between them. */
const CHECKPOINT_TRIES = 20;

export function eraseSubject(db: Db, subject: PrivacySubject): EraseResult {
  const deleted = db
    .transaction(() => {
      const counts: Record<string, number> = {};
      // Children before the gateway row so each table's own count is reported, not hidden by a cascade.
      const tables = tablesAboutGateways(db).sort(
        (a, b) => Number(a.name === "gateways") - Number(b.name === "gateways"),
      );
      for (const table of tables) {
        if (table.name in KEPT_ON_ERASE) continue;
        if (subject.mac !== undefined && !table.byMac) continue;
        const sql =
          subject.mac !== undefined
            ? `DELETE FROM "${table.name}" WHERE gateway_id = ? AND mac = ?`
            : `DELETE FROM "${table.name}" WHERE gateway_id = ?`;
        const params = subject.mac !== undefined ? [subject.gatewayId, subject.mac] : [subject.gatewayId];
        counts[table.name] = db.prepare(sql).run(...params).changes;
      }
      return counts;
    })
    .immediate();
  let checkpointed = false;
  for (let i = 0; i < CHECKPOINT_TRIES && !checkpointed; i++) checkpointed = checkpointTruncate(db);
  return { subject, deleted, kept: subject.mac === undefined ? { ...KEPT_ON_ERASE } : {}, checkpointed };
}
