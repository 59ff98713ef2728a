/**
 * The runtime's stored metric series: cycles, failed cycles, payments and cycle time per bucket,
 * and payments, volume and fees per asset, for one agent, one region or all, one asset or all,
 * over a time range (the monitor's chart over time).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SeriesUnavailableError } from '../errors.ts';
import { parseInput } from '../parseInput.ts';
import { SeriesResultSchema } from '../responseSchemas.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { SeriesQuerySchema, SeriesWindowSchema } from '../schemas.ts';

/** The range read when the query names none. */
const DEFAULT_RANGE_MS = 3_600_000;
/** About this many buckets when the query names no step. */
const DEFAULT_POINTS = 120;

/** Registers GET /api/metrics/series (`?agent=&region=&asset=&from=&to=&last=&step=`, times in epoch ms, `last` a duration like `24h`). */
export function seriesRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/metrics/series',
    {
      config: { permission: 'read', response: SeriesResultSchema },
      schema: {
        summary:
          'Stored series over time: cycles, failures, payments, cycle latency, and volume and fees per asset, per bucket, by agent, region or asset',
        description:
          'Amounts are exact decimal strings, summed per asset (never across assets). `asset` narrows the amounts to one asset; cycles, failures, payments and latency have no asset and stay as they are. `last` (15m, 1h, 24h, 7d) reads that span back from `to`, instead of `from`. Defaults: the last hour up to now, in about 120 buckets of whole seconds (at least 10 s). Buckets with nothing counted are 0. Rows older than six hours are five-minute sums, so a finer step shows them as one spike per five minutes.',
        tags: ['metrics'],
        querystring: SeriesQuerySchema,
      },
    },
    async (request) => {
      const series = runtime.store?.series;
      if (series === undefined) throw new SeriesUnavailableError();
      const q = request.query;
      const to = q.to ?? runtime.clock.now(); // the clock the samples were stamped with
      const from = q.from ?? to - (q.last ?? DEFAULT_RANGE_MS);
      const step = q.step ?? Math.max(10_000, Math.ceil((to - from) / DEFAULT_POINTS / 1000) * 1000);
      const window = parseInput(SeriesWindowSchema, { from, to, step }, 'query');
      return series.query({ ...window, agent: q.agent, region: q.region, asset: q.asset });
    },
  );
}
