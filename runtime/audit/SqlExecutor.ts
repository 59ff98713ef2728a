/**
 * The one thing the audit code needs from a database handle: run SQL with `?` placeholders and get
 * rows back. A text of several statements (allowed only without parameters) returns the rows of the
 * last one. Implemented over node-postgres by `pgExecutor` (runtime/persistence).
 */
export interface SqlExecutor {
  execute(sql: string, params?: unknown[]): Promise<any>;
}

/** Builds `(?, ?, ?), (?, ?, ?)` for a multi-row INSERT of `rows` rows of `columns` parameters each. */
export function valuesPlaceholders(rows: number, columns: number, casts: Record<number, string> = {}): string {
  const row = `(${Array.from({ length: columns }, (_, i) => (casts[i] === undefined ? '?' : `?::${casts[i]}`)).join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}
