/**
 * POST /api/audit/verify: re-reads the whole audit log and checks its hash chain and signed
 * checkpoints (what `mandate audit verify` does), for the dashboard's "verify chain" action.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditVerifier } from '../AuditVerifier.ts';

/** The answer: the verdict, where the chain breaks if it does, and when it was checked. */
const AuditVerdictSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  checkpoints: z.number().int(),
  latestCheckpoint: z
    .object({ seq: z.number().int(), hash: z.string(), at: z.number(), signer: z.string(), signature: z.string() })
    .nullable(),
  breaks: z.array(z.object({ seq: z.number().int(), reason: z.string(), message: z.string() })),
  checkedAt: z.number(),
});

/** Registers POST /api/audit/verify (operators and admins: it re-reads the whole log). */
export function auditVerifyRoute(app: FastifyInstance, verifier: AuditVerifier): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/audit/verify',
    {
      config: { permission: 'audit.verify', response: AuditVerdictSchema },
      schema: {
        summary: 'Re-read the whole audit log and check its hash chain and signed checkpoints',
        description:
          'Answers ok: false with every break (seq, reason, message) when an entry was edited, deleted, reordered or the log truncated.',
        tags: ['audit'],
      },
    },
    () => verifier.verify(),
  );
}
