/**
 * The kill switch: read its state, engage or release it (all, or scoped).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { principalOf } from '../authenticate.ts';
import { ForbiddenError } from '../errors.ts';
import { can } from '../roles.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { KillSwitchBodySchema } from '../schemas.ts';

/** Registers GET and POST /api/kill-switch. */
export function killSwitchRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['kill switch'];
  api.get(
    '/api/kill-switch',
    {
      config: { permission: 'read' },
      schema: { summary: 'What the kill switch covers, and who engaged it, when and why', tags },
    },
    async () => runtime.killSwitchState(),
  );

  // The route needs at least `killswitch.engage`; releasing needs more, checked once the body says which.
  api.post(
    '/api/kill-switch',
    {
      config: { permission: 'killswitch.engage' },
      schema: {
        summary: 'Engage or release the kill switch (releasing needs killswitch.release)',
        tags,
        body: KillSwitchBodySchema,
      },
    },
    async (request) => {
      const body = request.body;
      const by = principalOf(request);
      if (body.action === 'release') {
        const role = request.identity?.role ?? 'observer';
        if (!can(role, 'killswitch.release')) {
          throw new ForbiddenError(`Role "${role}" may engage the kill switch but not release it; ask an admin`, {
            details: { role, permission: 'killswitch.release' },
          });
        }
        await runtime.releaseKillSwitch(body.scope, by, body.reason);
      } else {
        await runtime.engageKillSwitch(body.scope, by, body.reason);
      }
      return runtime.killSwitchState();
    },
  );
}
