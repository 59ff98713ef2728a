const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /connection refused/i,
  /server closed the connection/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /handler disconnected/i,
];

/**
 * Whether a database error means "the server went away or is busy" (retry later) rather than "this
 * statement is wrong" (retrying would fail again). Walks the `cause` chain, since MikroORM wraps the
 * node-postgres error.
 */
export function isTransientDbError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    const err = e as { code?: unknown; sqlState?: unknown; message?: unknown; cause?: unknown; name?: unknown };
    const code = typeof err.code === 'string' ? err.code : typeof err.sqlState === 'string' ? err.sqlState : '';
    if (TRANSIENT_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception; not 08P01, a protocol violation by this statement), 57P0x (admin shutdown, crash, cannot connect now), 53300 (too many connections), 40001/40P01 (retryable conflicts).
    if (
      (/^08/.test(code) && code !== '08P01') ||
      /^57P0[1-3]$/.test(code) ||
      code === '53300' ||
      code === '40001' ||
      code === '40P01'
    )
      return true;
    if (err.name === 'ConnectionException') return true;
    if (typeof err.message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(err.message as string))) return true;
    e = err.cause;
  }
  return false;
}
