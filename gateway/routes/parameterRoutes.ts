/**
 * Tunable rule parameters: list an agent's, and freeze, unfreeze or revert one (docs/decisions.md,
 * "Learning"). Every change is audited before it applies.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../authenticate.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { IdParamsSchema, IdSchema, ReasonSchema } from '../schemas.ts';

/** `:id/params/:param` route params: the agent and the parameter's `<rule>.<name>` key. */
const ParamParamsSchema = z
  .object({
    id: IdSchema,
    param: z
      .string()
      .min(3)
      .max(200)
      .regex(/^[A-Za-z0-9][\w-]*\.[A-Za-z][\w-]*$/, 'a parameter key <rule>.<name>, e.g. fees-spiking.threshold'),
  })
  .strict();

const ChangeBodySchema = z.object({ reason: ReasonSchema }).strict();
const RevertBodySchema = z
  .object({
    reason: ReasonSchema,
    /** Back to the value the YAML declares instead of one step. */
    toDeclared: z.boolean().optional(),
  })
  .strict();

const SUMMARIES = {
  freeze: 'Stop the tuner moving a rule parameter (audited learn.frozen)',
  unfreeze: 'Let the tuner move a frozen rule parameter again (audited learn.unfrozen)',
  revert: 'Undo the last tuning step of a rule parameter, or every step, and freeze it (audited learn.reverted)',
} as const;

/** Registers GET /api/agents/:id/params and POST /api/agents/:id/params/:param/{freeze,unfreeze,revert}. */
export function parameterRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['agents'];
  api.get(
    '/api/agents/:id/params',
    {
      config: { permission: 'read' },
      schema: {
        summary: "An agent's rule parameters: value now, declared value, tunable bounds, frozen",
        tags,
        params: IdParamsSchema,
      },
    },
    async (request) => {
      const { id } = request.params;
      return { agentId: id, params: await runtime.parameters(id) };
    },
  );
  for (const action of ['freeze', 'unfreeze', 'revert'] as const)
    api.post(
      `/api/agents/:id/params/:param/${action}`,
      {
        config: { permission: 'agent.tune' },
        schema: {
          summary: SUMMARIES[action],
          tags,
          params: ParamParamsSchema,
          body: action === 'revert' ? RevertBodySchema : ChangeBodySchema,
        },
      },
      async (request) => {
        const { id, param } = request.params;
        const body = request.body as { reason: string; toDeclared?: boolean };
        const parameter = await runtime.tuneParameter(id, {
          parameter: param,
          action,
          by: principalOf(request),
          why: body.reason,
          ...(body.toDeclared === true ? { toDeclared: true } : {}),
        });
        return { ok: true, agentId: id, parameter };
      },
    );
}
