/**
 * GET /api/payments/:id: one payment's whole story, for the dashboard's payment page.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { paymentStory } from '../paymentStory.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { IdParamsSchema } from '../schemas.ts';

/** Registers GET /api/payments/:id (decision id, idempotency key, invoice id or approval id). */
export function paymentRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/payments/:id',
    {
      config: { permission: 'read' },
      schema: {
        summary:
          'One payment by decision id, idempotency key, invoice or approval id: decision, every supervisor stage’s verdict, approvals, intent and receipt, audit hashes, and whether its key was already approved or paid',
        tags: ['payments'],
        params: IdParamsSchema,
      },
    },
    async (request) => paymentStory(runtime, request.params.id),
  );
}
