/**
 * Agents, the supervision tree, and per-agent overrides (pause, resume, stop).
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../runtime/index.ts';
import { principalOf } from '../authenticate.ts';
import { parseInput } from '../parseInput.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { AgentsQuerySchema, IdParamsSchema, OverrideBodySchema } from '../schemas.ts';
import { versionRoutes } from './versionRoutes.ts';

/** Registers /api/agents, /api/agents/:id, its overrides and versions, /api/tree and /api/cluster. */
export function agentRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  app.get('/api/agents', { config: { permission: 'read' } }, async (request) => {
    const q = parseInput(AgentsQuerySchema, request.query, 'query');
    const matching = runtime
      .listAgents()
      .filter(
        (a) =>
          (q.group === undefined || a.group === q.group) &&
          (q.capability === undefined || a.capabilities.includes(q.capability)) &&
          (q.state === undefined || a.state === q.state),
      );
    const offset = q.offset ?? 0;
    return {
      agents: matching.slice(offset, q.limit === undefined ? undefined : offset + q.limit),
      total: matching.length,
    };
  });

  app.get('/api/agents/:id', { config: { permission: 'read' } }, async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const agent = runtime.getAgent(id);
    if (agent === undefined) throw new NotFoundError('agent', id);
    return agent;
  });

  versionRoutes(app, runtime);

  app.get('/api/tree', { config: { permission: 'read' } }, async () => runtime.tree());

  // Without placement this node is the whole cluster: it runs every agent it loaded.
  app.get('/api/cluster', { config: { permission: 'read' } }, async () => {
    const cluster = runtime.cluster();
    if (cluster !== undefined) return cluster;
    const agents = runtime.listAgents().map((a) => a.id);
    return {
      nodes: [{ id: runtime.nodeId, region: null, alive: true, agents }],
      placements: Object.fromEntries(agents.map((a) => [a, runtime.nodeId])),
    };
  });

  const overrides = [
    [
      'pause',
      'agent.pause',
      (id: string, by: ReturnType<typeof principalOf>, why: string) => runtime.pause(id, by, why),
    ],
    [
      'resume',
      'agent.resume',
      (id: string, by: ReturnType<typeof principalOf>, why: string) => runtime.resume(id, by, why),
    ],
    ['stop', 'agent.stop', (id: string, by: ReturnType<typeof principalOf>, why: string) => runtime.stop(id, by, why)],
  ] as const;
  for (const [verb, permission, apply] of overrides) {
    app.post(`/api/agents/:id/${verb}`, { config: { permission } }, async (request) => {
      const { id } = parseInput(IdParamsSchema, request.params, 'params');
      const { reason } = parseInput(OverrideBodySchema, request.body, 'body');
      await apply(id, principalOf(request), reason);
      const agent = runtime.getAgent(id);
      return {
        ok: true,
        agent:
          agent === undefined
            ? undefined
            : { id: agent.id, state: agent.state, paused: agent.paused, killed: agent.killed },
      };
    });
  }
}
