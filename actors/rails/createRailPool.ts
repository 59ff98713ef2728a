import pg from 'pg';

/** Options of {@link createRailPool}. */
export interface RailPoolOptions {
  /** Most connections; default 4. */
  max?: number;
  /** Told about each connection the server or network dropped (the pool has already discarded it). */
  onError?: (error: Error) => void;
}

/**
 * A `pg` Pool for the rails' ledger that survives connection resets. node-postgres reports a
 * dropped connection as an `'error'` event, on the pool for an idle client and on the client
 * itself while it is checked out; an `'error'` event nobody listens to is an uncaught exception
 * that takes the whole process down mid-payment. Both get a listener here; the query in flight
 * still rejects on its own, so the rail's write-ahead records decide what happens next.
 *
 * @example
 * const pool = createRailPool(store.databaseUrl, {
 *   onError: (e) => runtime.alert({ severity: 'warning', code, message: e.message }),
 * });
 * const sql = pgRailSql(pool);
 */
export function createRailPool(connectionString: string, options: RailPoolOptions = {}): pg.Pool {
  const onError = options.onError ?? (() => undefined);
  const pool = new pg.Pool({ connectionString, max: options.max ?? 4 });
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}
