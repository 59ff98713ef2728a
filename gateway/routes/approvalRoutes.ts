/**
 * The approvals queue: list, approve, reject.
 */
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../authenticate.ts';
import { parseInput } from '../parseInput.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { ApprovalsQuerySchema, ApproveBodySchema, IdParamsSchema, RejectBodySchema } from '../schemas.ts';

/** Registers /api/approvals and its approve/reject actions. */
export function approvalRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  app.get('/api/approvals', { config: { permission: 'read' } }, async (request) => {
    const { status } = parseInput(ApprovalsQuerySchema, request.query, 'query');
    return { approvals: runtime.listApprovals(status) };
  });

  app.post('/api/approvals/:id/approve', { config: { permission: 'approval.decide' } }, async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const { reason, signature } = parseInput(ApproveBodySchema, request.body ?? {}, 'body');
    await runtime.approve(id, principalOf(request), {
      ...(reason === undefined ? {} : { reason }),
      ...(signature === undefined ? {} : { signature }),
    });
    return { ok: true, approval: runtime.listApprovals().find((a) => a.id === id) };
  });

  app.post('/api/approvals/:id/reject', { config: { permission: 'approval.decide' } }, async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const { reason } = parseInput(RejectBodySchema, request.body, 'body');
    await runtime.reject(id, principalOf(request), reason);
    return { ok: true, approval: runtime.listApprovals().find((a) => a.id === id) };
  });
}
