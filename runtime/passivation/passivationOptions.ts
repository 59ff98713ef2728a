import { PassivationConfigError } from '../errors.ts';
import type { RuntimePassivationOptions } from '../RuntimeOptions.ts';

/** Default of `passivation.prefetchMs`: long enough for a snapshot read on a loaded database. */
const DEFAULT_PREFETCH_MS = 250;
/** Default of `passivation.warmBytes`: 8 MiB, a few thousand agents' snapshots. */
const DEFAULT_WARM_BYTES = 8 * 1024 * 1024;
/** Upper bound of `passivation.warmBytes`: 1 GiB. */
const MAX_WARM_BYTES = 1024 * 1024 * 1024;

/** The passivation options checked, with their defaults: a bad one throws a `MANDATE_ERR_PASSIVATION_CONFIG` error. */
export function passivationOptions(options: RuntimePassivationOptions | undefined): {
  prefetchMs: number;
  warmBytes: number;
} {
  return { prefetchMs: passivationPrefetchMs(options), warmBytes: passivationWarmBytes(options) };
}

/** The `passivation.prefetchMs` option, checked: an integer from 0 (off) to 60,000. */
function passivationPrefetchMs(options: RuntimePassivationOptions | undefined): number {
  const ms = options?.prefetchMs ?? DEFAULT_PREFETCH_MS;
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000)
    throw new PassivationConfigError(
      `passivation.prefetchMs is ${JSON.stringify(ms)}; give an integer number of milliseconds from 0 (no read ahead) to 60000, e.g. ${DEFAULT_PREFETCH_MS}.`,
      { details: { prefetchMs: ms } },
    );
  return ms;
}

/** The `passivation.warmBytes` option, checked: an integer number of bytes from 0 (no warm tier) to 1 GiB. */
function passivationWarmBytes(options: RuntimePassivationOptions | undefined): number {
  const bytes = options?.warmBytes ?? DEFAULT_WARM_BYTES;
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_WARM_BYTES)
    throw new PassivationConfigError(
      `passivation.warmBytes is ${JSON.stringify(bytes)}; give an integer number of bytes from 0 (no warm tier: every reactivation reads the store) to ${MAX_WARM_BYTES}, e.g. ${DEFAULT_WARM_BYTES} (8 MiB, the default).`,
      { details: { warmBytes: bytes } },
    );
  return bytes;
}
