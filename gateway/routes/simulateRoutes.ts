/**
 * POST /api/simulate: what-if scenarios over the API, the same as `mandate simulate`.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkSweep, FACT_PATH, runSweep } from '../../runtime/index.ts';
import { SimulationUnavailableError } from '../errors.ts';
import type { Simulator } from '../RuntimeApi.ts';
import { IdSchema } from '../schemas.ts';

/** The most values one API sweep may visit: each builds a dry-run runtime. */
const MAX_API_SWEEP_VALUES = 50;

const PathSchema = z.string().max(200).regex(FACT_PATH, 'a dot path of letters, digits, "_" and "-", e.g. gas.gwei');

/** Body of POST /api/simulate: facts by dot path, an optional sweep and an optional single agent. */
const SimulateBodySchema = z.strictObject({
  set: z
    .record(PathSchema, z.union([z.string().max(200), z.number().finite(), z.boolean(), z.null()]))
    .refine((facts) => Object.keys(facts).length <= 50, 'at most 50 facts')
    .default({}),
  sweep: z
    .strictObject({ path: PathSchema, from: z.number().finite(), to: z.number().finite(), step: z.number().positive() })
    .refine((s) => (s.to - s.from) / s.step < MAX_API_SWEEP_VALUES, `at most ${MAX_API_SWEEP_VALUES} values`)
    .optional(),
  agent: IdSchema.optional(),
});

/**
 * Registers POST /api/simulate (permission `simulate.run`). Without `sweep` it answers
 * `{ results }`, one row per agent with the fields `mandate simulate --json` prints; with one,
 * `{ path, steps: [{ value, results }] }`. One simulation runs at a time; another request meanwhile
 * gets 503 with `Retry-After`. Without a simulator (a gateway not started by `mandate run`) 503.
 */
export function simulateRoutes(app: FastifyInstance, simulate: Simulator | undefined): void {
  let busy = false;
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post(
    '/api/simulate',
    {
      config: { permission: 'simulate.run' },
      schema: {
        summary: 'What-if: one dry-run cycle per agent with the facts set (or swept), like `mandate simulate --json`',
        tags: ['simulation'],
        body: SimulateBodySchema,
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (simulate === undefined)
        throw new SimulationUnavailableError(
          'This gateway has no what-if simulator; POST /api/simulate works on a gateway started by "mandate run", or run "mandate simulate" instead',
        );
      if (body.sweep !== undefined)
        checkSweep(body.sweep, `${body.sweep.path}=${body.sweep.from}..${body.sweep.to}:${body.sweep.step}`);
      if (busy) {
        void reply.header('retry-after', '1');
        throw new SimulationUnavailableError('Another simulation is running; retry in a moment');
      }
      busy = true;
      try {
        const only = body.agent === undefined ? {} : { agent: body.agent };
        if (body.sweep === undefined) return { results: await simulate(body.set, only) };
        const steps = await runSweep(simulate, { facts: body.set, sweep: body.sweep, ...only });
        return { path: body.sweep.path, steps: steps.map(({ value, rows }) => ({ value, results: rows })) };
      } finally {
        busy = false;
      }
    },
  );
}
