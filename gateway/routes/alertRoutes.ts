/**
 * Alerts as data: the kept alerts (with history across restarts) and their acknowledgement.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { principalOf } from '../authenticate.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { AlertsQuerySchema, IdParamsSchema } from '../schemas.ts';

const tags = ['alerts'];

/** Registers GET /api/alerts (`?status=open|acknowledged|resolved&limit=`) and POST /api/alerts/:id/ack. */
export function alertRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/alerts',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Kept alerts, newest first, with dedup counts and deliveries',
        tags,
        querystring: AlertsQuerySchema,
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      return {
        alerts: runtime.listAlerts({
          ...(status === undefined ? {} : { status }),
          ...(limit === undefined ? {} : { limit }),
        }),
      };
    },
  );

  api.post(
    '/api/alerts/:id/ack',
    {
      config: { permission: 'alert.ack' },
      schema: { summary: 'Acknowledge an alert (audited)', tags, params: IdParamsSchema },
    },
    async (request) => ({ ok: true, alert: await runtime.acknowledgeAlert(request.params.id, principalOf(request)) }),
  );
}
