/**
 * Privacy export: everything stored about a gateway (or one device on it) as one JSON document,
 * every table and every column, read in one read transaction so the document is consistent.
 */
import type { Db } from "../store/openDatabase.js";
import { REDACTED_COLUMNS, tablesAboutGateways } from "./tablesAbout.js";

export interface PrivacySubject {
  gatewayId: string;
  /** Only the rows that name this device (tables with a `mac` column). */
  mac?: string;
}

export interface PrivacyExport {
  subject: PrivacySubject;
  exportedAt: string;
  /** Table name to rows, each row with every column of the table. */
  tables: Record<string, Array<Record<string, unknown>>>;
  /** Tables not included for a device export: they hold router data, no device identity. */
  notAboutDevice: string[];
}

export function exportSubject(db: Db, subject: PrivacySubject, now = Date.now()): PrivacyExport {
  return db.transaction(() => {
    const result: PrivacyExport = {
      subject,
      exportedAt: new Date(now).toISOString(),
      tables: {},
      notAboutDevice: [],
    };
    for (const table of tablesAboutGateways(db)) {
      if (subject.mac !== undefined && !table.byMac) {
        result.notAboutDevice.push(table.name);
        continue;
      }
      const where = subject.mac !== undefined ? "gateway_id = ? AND mac = ?" : "gateway_id = ?";
      const params = subject.mac !== undefined ? [subject.gatewayId, subject.mac] : [subject.gatewayId];
      const cols = table.columns.map((c) => `"${c}"`).join(", ");
      const rows = db.prepare(`SELECT ${cols} FROM "${table.name}" WHERE ${where}`).all(...params) as Array<
        Record<string, unknown>
      >;
      result.tables[table.name] = rows.map((row) => {
        for (const c of table.columns) if (REDACTED_COLUMNS.has(c) && row[c] !== null) row[c] = "(redacted)";
        return row;
      });
    }
    return result;
  })();
}
