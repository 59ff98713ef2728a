/**
 * Runs an operator action and reports its failure (with the gateway's code) as a notice.
 */
import { ApiError } from '../api.ts';
import type { DashboardStore } from '../dashboardStore.ts';

/** Runs `action`; on failure shows `what failed: CODE message`. */
export async function runAction(store: DashboardStore, what: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
    store.trigger.notify({ notice: { kind: 'info', text: `${what}: done` } });
  } catch (err) {
    const text =
      err instanceof ApiError
        ? `${what} failed: ${err.code} ${err.message}`
        : `${what} failed: ${(err as Error).message}`;
    store.trigger.notify({ notice: { kind: 'error', text } });
  }
}
