/**
 * Platform writes as governed actions: a `platform.sync` action (`params: { entity, fields }`)
 * passes the whole supervisor chain like a payment, then {@link StateSync.propagate} writes it to
 * every platform the entity lives on. The receipt carries one result per platform; the outcome is
 * `succeeded` only when every platform took the change (written, merged, overwritten or resolved
 * by a human); a conflict left open or a failure makes it `failed` with the platforms named.
 */
import { z } from 'zod';
import { ErrorCode } from '../../kernel/index.ts';
import type { Outcome } from '../../machines/index.ts';
import type { Actuator } from '../Actuator.ts';
import { PlatformConfigError } from './errors.ts';
import type { PropagationResult, StateSync } from './StateSync.ts';

const Params = z.object({ entity: z.string().min(1), fields: z.record(z.string(), z.unknown()) }).strict();
const TAKEN = new Set<PropagationResult['status']>(['written', 'merged', 'overwritten', 'resolved']);

/** The actuator of `platform.sync` actions over `sync`. */
export function createPlatformSyncActuator(sync: StateSync, name = 'platform.sync'): Actuator {
  const parse = (params: unknown) => {
    const parsed = Params.safeParse(params);
    if (!parsed.success)
      throw new PlatformConfigError(
        `a platform.sync action needs params { entity, fields }: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return parsed.data;
  };
  return {
    name,
    effect: 'external',
    async prepare(action) {
      const { entity, fields } = parse(action.params);
      const records = await sync.pull(entity);
      return { entity, fields, platforms: records.map((r) => ({ type: r.type, id: r.id, version: r.version })) };
    },
    async execute(action): Promise<Outcome> {
      const { entity, fields } = parse(action.params);
      const results = await sync.propagate(entity, fields);
      const missed = results.filter((r) => !TAKEN.has(r.status));
      if (missed.length === 0) return { status: 'succeeded', receipt: { entity, results } };
      return {
        status: 'failed',
        receipt: { entity, results },
        error: {
          code: missed.some((r) => r.status === 'failed')
            ? ErrorCode.MANDATE_ERR_PLATFORM_REQUEST
            : ErrorCode.MANDATE_ERR_PLATFORM_CONFLICT,
          message: `${entity} was not taken by ${missed.map((r) => `${r.platform} (${r.status}${r.error === undefined ? '' : `: ${r.error.message}`})`).join(', ')}`,
        },
      };
    },
  };
}
