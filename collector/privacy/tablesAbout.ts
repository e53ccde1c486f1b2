/**
 * Which tables hold data about a gateway or a device, read from the schema itself
 * (sqlite_master, PRAGMA table_info) so that a table or column added later is exported and
 * erased without anyone remembering to list it here.
 */
import type { Db } from "../store/openDatabase.js";

/** Tables with no gateway column, and why they are not about a gateway or a device. */
export const NOT_ABOUT_GATEWAYS: Readonly<Record<string, string>> = {
  api_tokens: "HTTP API tokens of support and privacy staff",
};

/** Columns whose value is a secret's hash: exported as present but redacted. */
export const REDACTED_COLUMNS: ReadonlySet<string> = new Set(["password_hash", "secret_hash"]);

export interface TableInfo {
  name: string;
  columns: string[];
  /** Has a `mac` column: the rows about one device can be selected. */
  byMac: boolean;
}

export function tablesAboutGateways(db: Db): TableInfo[] {
  const names = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map((r) => r.name);
  const tables: TableInfo[] = [];
  for (const name of names) {
    const columns = (db.pragma(`table_info(${JSON.stringify(name)})`) as Array<{ name: string }>).map(
      (c) => c.name,
    );
    if (!columns.includes("gateway_id")) {
      if (!(name in NOT_ABOUT_GATEWAYS))
        throw new Error(`table ${name} has no gateway_id column and is not declared in NOT_ABOUT_GATEWAYS`);
      continue;
    }
    tables.push({ name, columns, byMac: columns.includes("mac") });
  }
  return tables;
}
