/**
 * Agent definition versions: list them, roll an agent back (or forward) to one.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../authenticate.ts';
import type { AgentVersionInfo, MandateRuntime } from '../RuntimeApi.ts';
import { IdParamsSchema, ReasonSchema } from '../schemas.ts';

/** Body of POST /api/agents/:id/rollback: the version (number, or 8+ hex digits of its hash) and why. */
const RollbackBodySchema = z
  .object({
    to: z.union([
      z.number().int().min(1),
      z
        .string()
        .regex(/^(\d{1,9}|(sha256:)?[0-9a-fA-F]{8,64})$/, 'a version number, or at least 8 hex digits of its hash'),
    ]),
    reason: ReasonSchema,
  })
  .strict();

/** A version as the API lists it: the stored row with the names of its files instead of their text. */
function versionView(v: AgentVersionInfo) {
  const { source, ...rest } = v;
  return { ...rest, entry: source?.entry ?? null, files: source === null ? [] : Object.keys(source.files) };
}

/** Registers GET /api/agents/:id/versions and POST /api/agents/:id/rollback. */
export function versionRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['agents'];
  api.get(
    '/api/agents/:id/versions',
    {
      config: { permission: 'read' },
      schema: { summary: "An agent's stored definition versions, oldest first", tags, params: IdParamsSchema },
    },
    async (request) => {
      const { id } = request.params;
      return { agentId: id, versions: (await runtime.agentVersions(id)).map(versionView) };
    },
  );

  api.post(
    '/api/agents/:id/rollback',
    {
      config: { permission: 'agent.rollback' },
      schema: {
        summary: 'Restart an agent on a stored version (back or forward), audited first',
        tags,
        params: IdParamsSchema,
        body: RollbackBodySchema,
      },
    },
    async (request) => {
      const { id } = request.params;
      const { to, reason } = request.body;
      const version = await runtime.rollback(id, { to: String(to), by: principalOf(request), why: reason });
      const agent = runtime.getAgent(id);
      return { ok: true, version: versionView(version), agent: { id, state: agent?.state, version: agent?.version } };
    },
  );
}
