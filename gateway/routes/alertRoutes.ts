/**
 * Alerts as data: the kept alerts (with history across restarts) and their acknowledgement.
 */
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../authenticate.ts';
import { parseInput } from '../parseInput.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { AlertsQuerySchema, IdParamsSchema } from '../schemas.ts';

/** Registers GET /api/alerts (`?status=open|acknowledged|resolved&limit=`) and POST /api/alerts/:id/ack. */
export function alertRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  app.get('/api/alerts', { config: { permission: 'read' } }, async (request) => {
    const { status, limit } = parseInput(AlertsQuerySchema, request.query, 'query');
    return {
      alerts: runtime.listAlerts({
        ...(status === undefined ? {} : { status }),
        ...(limit === undefined ? {} : { limit }),
      }),
    };
  });

  app.post('/api/alerts/:id/ack', { config: { permission: 'alert.ack' } }, async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    return { ok: true, alert: await runtime.acknowledgeAlert(id, principalOf(request)) };
  });
}
