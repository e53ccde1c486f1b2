/** Plain-text tables for people: padded columns, `-` for null, nothing fancy to break a terminal. */

export function formatTable(rows: readonly object[], columns: readonly string[]): string {
  if (rows.length === 0) return "(none)\n";
  const cell = (v: unknown): string => (v === null || v === undefined ? "-" : String(v));
  const cells = rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return `${[line(columns), ...cells.map(line)].join("\n")}\n`;
}
