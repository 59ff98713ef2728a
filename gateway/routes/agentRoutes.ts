/**
 * Agents, the supervision tree, and per-agent overrides (pause, resume, stop).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { NotFoundError } from '../../runtime/index.ts';
import { principalOf } from '../authenticate.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { AgentListSchema } from '../responseSchemas.ts';
import type { SnapshotCache } from '../SnapshotCache.ts';
import { compileZodSerializer } from '../compileZodSerializer.ts';
import { AgentsQuerySchema, IdParamsSchema, OverrideBodySchema } from '../schemas.ts';
import { reputationRoutes } from './reputationRoutes.ts';
import { versionRoutes } from './versionRoutes.ts';
import { parameterRoutes } from './parameterRoutes.ts';

const tags = ['agents'];

/**
 * Registers /api/agents, /api/agents/:id, its overrides, versions and reputation, /api/tree and /api/cluster.
 * The agent list is served from `cache` while no runtime event and no change through the gateway happened.
 */
export function agentRoutes(app: FastifyInstance, runtime: MandateRuntime, cache: SnapshotCache): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const serializeList = compileZodSerializer(AgentListSchema);
  api.get(
    '/api/agents',
    {
      config: { permission: 'read', response: AgentListSchema },
      schema: {
        summary:
          'Agents this node hosts, active and passivated (state "passivated"), filtered and windowed, with the total matching',
        tags,
        querystring: AgentsQuerySchema,
      },
    },
    // Not async: the hottest read route, and an async handler costs a promise and a microtask per request.
    (request, reply): void => {
      const q = request.query;
      // The body is already JSON: Fastify sends a string with a JSON content type as it is.
      const body = cache.get(request.url, () => {
        const matching = runtime
          .listAgents()
          .filter(
            (a) =>
              (q.group === undefined || a.group === q.group) &&
              (q.capability === undefined || a.capabilities.includes(q.capability)) &&
              (q.state === undefined || a.state === q.state),
          );
        const offset = q.offset ?? 0;
        return serializeList({
          agents: matching.slice(offset, q.limit === undefined ? undefined : offset + q.limit),
          total: matching.length,
        });
      });
      reply.type('application/json; charset=utf-8').send(body);
    },
  );

  api.get(
    '/api/agents/:id',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'One agent: context, machine graph, recent transitions',
        tags,
        params: IdParamsSchema,
      },
    },
    async (request) => {
      const agent = runtime.getAgent(request.params.id);
      if (agent === undefined) throw new NotFoundError('agent', request.params.id);
      return agent;
    },
  );

  versionRoutes(app, runtime);
  reputationRoutes(app, runtime);
  parameterRoutes(app, runtime);

  api.get(
    '/api/tree',
    { config: { permission: 'read' }, schema: { summary: 'The supervision tree', tags } },
    async () => runtime.tree(),
  );

  // Without placement this node is the whole cluster: it runs every agent it loaded. `placement`
  // says which of the two it is, so a reader need not guess from a one-node answer.
  api.get(
    '/api/cluster',
    {
      config: { permission: 'read' },
      schema: { summary: 'Runtime nodes and which agent runs where; placement says whether placement is on', tags },
    },
    async () => {
      const cluster = runtime.cluster();
      if (cluster !== undefined) return { placement: true, ...cluster };
      const agents = runtime.listAgents().map((a) => a.id);
      return {
        placement: false,
        nodes: [{ id: runtime.nodeId, region: null, alive: true, agents }],
        placements: Object.fromEntries(agents.map((a) => [a, runtime.nodeId])),
      };
    },
  );

  type By = ReturnType<typeof principalOf>;
  const overrides = [
    [
      'pause',
      'agent.pause',
      'Pause an agent (audited with who and why)',
      (id: string, by: By, why: string) => runtime.pause(id, by, why),
    ],
    [
      'resume',
      'agent.resume',
      'Resume a paused agent',
      (id: string, by: By, why: string) => runtime.resume(id, by, why),
    ],
    ['stop', 'agent.stop', 'Stop an agent for good', (id: string, by: By, why: string) => runtime.stop(id, by, why)],
  ] as const;
  for (const [verb, permission, summary, apply] of overrides) {
    api.post(
      `/api/agents/:id/${verb}`,
      { config: { permission }, schema: { summary, tags, params: IdParamsSchema, body: OverrideBodySchema } },
      async (request) => {
        const { id } = request.params;
        await apply(id, principalOf(request), request.body.reason);
        const agent = runtime.getAgent(id);
        return {
          ok: true,
          agent:
            agent === undefined
              ? undefined
              : { id: agent.id, state: agent.state, paused: agent.paused, killed: agent.killed },
        };
      },
    );
  }
}
