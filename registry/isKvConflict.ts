/** A JetStream KV compare-and-set lost to another writer (wrong last sequence), as opposed to NATS being unreachable. */
export function isKvConflict(error: unknown): boolean {
  const e = error as { message?: string; api_error?: { err_code?: number }; code?: number };
  return (
    e.api_error?.err_code === 10071 ||
    e.code === 10071 ||
    e.code === 10164 ||
    /wrong last sequence|key exists/i.test(e.message ?? '')
  );
}
