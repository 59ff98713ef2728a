/**
 * The kill switch: read its state, engage or release it (all, or scoped).
 */
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../authenticate.ts';
import { ForbiddenError } from '../errors.ts';
import { parseInput } from '../parseInput.ts';
import { can } from '../roles.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { KillSwitchBodySchema } from '../schemas.ts';

/** Registers GET and POST /api/kill-switch. */
export function killSwitchRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  app.get('/api/kill-switch', { config: { permission: 'read' } }, async () => runtime.killSwitchState());

  // The route needs at least `killswitch.engage`; releasing needs more, checked once the body says which.
  app.post('/api/kill-switch', { config: { permission: 'killswitch.engage' } }, async (request) => {
    const body = parseInput(KillSwitchBodySchema, request.body, 'body');
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
  });
}
