import { PassivationConfigError } from '../errors.ts';
import type { RuntimePassivationOptions } from '../RuntimeOptions.ts';

/** Default of `passivation.prefetchMs`: long enough for a snapshot read on a loaded database. */
const DEFAULT_PREFETCH_MS = 250;

/** The `passivation.prefetchMs` option, checked: an integer from 0 (off) to 60,000. */
export function passivationPrefetchMs(options: RuntimePassivationOptions | undefined): number {
  const ms = options?.prefetchMs ?? DEFAULT_PREFETCH_MS;
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000)
    throw new PassivationConfigError(
      `passivation.prefetchMs is ${JSON.stringify(ms)}; give an integer number of milliseconds from 0 (no read ahead) to 60000, e.g. ${DEFAULT_PREFETCH_MS}.`,
      { details: { prefetchMs: ms } },
    );
  return ms;
}
