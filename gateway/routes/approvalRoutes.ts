/**
 * The approvals queue: list, approve, reject.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { principalOf } from '../authenticate.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { ApprovalsQuerySchema, ApproveBodySchema, IdParamsSchema, RejectBodySchema } from '../schemas.ts';

const tags = ['approvals'];

/** Registers /api/approvals and its approve/reject actions. */
export function approvalRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/approvals',
    {
      config: { permission: 'read' },
      schema: { summary: 'Approval requests, optionally by status', tags, querystring: ApprovalsQuerySchema },
    },
    async (request) => ({ approvals: runtime.listApprovals(request.query.status) }),
  );

  api.post(
    '/api/approvals/:id/approve',
    {
      config: { permission: 'approval.decide' },
      schema: {
        summary: 'Approve a pending request (a Safe quorum takes the approver’s signature)',
        tags,
        params: IdParamsSchema,
        body: ApproveBodySchema.optional(),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { reason, signature } = request.body ?? {};
      await runtime.approve(id, principalOf(request), {
        ...(reason === undefined ? {} : { reason }),
        ...(signature === undefined ? {} : { signature }),
      });
      return { ok: true, approval: runtime.listApprovals().find((a) => a.id === id) };
    },
  );

  api.post(
    '/api/approvals/:id/reject',
    {
      config: { permission: 'approval.decide' },
      schema: { summary: 'Reject a pending request, saying why', tags, params: IdParamsSchema, body: RejectBodySchema },
    },
    async (request) => {
      const { id } = request.params;
      await runtime.reject(id, principalOf(request), request.body.reason);
      return { ok: true, approval: runtime.listApprovals().find((a) => a.id === id) };
    },
  );
}
