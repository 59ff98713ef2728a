import { StoreUnavailableError } from './errors.ts';
import { isTransientDbError } from './isTransientDbError.ts';

/** How transient database failures are retried. */
export interface DbRetryPolicy {
  /** Attempts in total before giving up with MANDATE_ERR_STORE_UNAVAILABLE. */
  attempts: number;
  /** First delay; doubles each attempt, capped at 5 s. */
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `attempt`, retrying it while it fails transiently (connection lost, server restarting);
 * other errors pass through at once. After the last attempt: {@link StoreUnavailableError}.
 */
export async function withDbRetry<R>(attempt: () => Promise<R>, policy: DbRetryPolicy, what: string): Promise<R> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransientDbError(error)) throw error;
      if (n >= policy.attempts) {
        throw new StoreUnavailableError(
          `The database did not answer ${what} after ${n} attempts (${(error as Error).message}). Nothing unacknowledged was kept as written; check the database server is running and reachable, then retry.`,
          { cause: error },
        );
      }
      policy.onRetry?.(error, n);
      await policy.sleep(Math.min(policy.baseDelayMs * 2 ** (n - 1), 5000));
    }
  }
}
