/**
 * An agent's reputation: the seed's dimensions, the limit factor they grant, the standing, and the
 * newest changes from the store's history (docs/reputation.md).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { IdParamsSchema, ReputationQuerySchema } from '../schemas.ts';

/** Registers GET /api/agents/:id/reputation. */
export function reputationRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/agents/:id/reputation',
    {
      config: { permission: 'read' },
      schema: {
        summary: "An agent's reputation: dimensions, limit factor, standing and its newest changes",
        tags: ['agents'],
        params: IdParamsSchema,
        querystring: ReputationQuerySchema,
      },
    },
    async (request) => {
      const { limit } = request.query;
      return runtime.agentReputation(request.params.id, limit === undefined ? {} : { limit });
    },
  );
}
