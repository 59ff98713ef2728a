/**
 * Liveness, readiness, identity and metrics.
 */
import type { FastifyInstance } from 'fastify';
import { NotReadyError } from '../errors.ts';
import type { LiveHub } from '../LiveHub.ts';
import { prometheusText } from '../prometheusText.ts';
import { ROLE_PERMISSIONS } from '../roles.ts';
import type { MandateRuntime, ReadinessCheck } from '../RuntimeApi.ts';

/** How long /ready waits for one dependency before counting it unreachable (a blackholed connection never answers). */
const READY_CHECK_TIMEOUT_MS = 2_000;

/** `check()`, or a rejection once it has not settled within `ms`. */
async function withinTimeout(check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the health routes report on: the runtime, the live hub, and the gateway's own readiness checks. */
export interface HealthSources {
  runtime: MandateRuntime;
  hub: LiveHub;
  checks: Record<string, ReadinessCheck>;
}

/** Registers /health, /ready, /api/me, /api/metrics, /api/capabilities and /metrics. */
export function healthRoutes(app: FastifyInstance, { runtime, hub, checks }: HealthSources): void {
  const tags = ['health'];
  app.get('/health', { schema: { summary: 'Liveness', tags } }, async () => ({
    status: 'ok',
    nodeId: runtime.nodeId,
    mode: runtime.mode,
  }));

  app.get('/ready', { schema: { summary: 'Readiness: the store and every readiness check', tags } }, async () => {
    const all: Record<string, ReadinessCheck> = { ...runtime.readiness(), ...checks };
    const results = await Promise.all(
      Object.entries(all).map(async ([name, check]) => {
        try {
          await withinTimeout(check, READY_CHECK_TIMEOUT_MS);
          return [name, { ok: true }] as const;
        } catch (err) {
          return [name, { ok: false, error: (err as Error).message }] as const;
        }
      }),
    );
    const report = Object.fromEntries<{ ok: boolean; error?: string }>(results);
    const failed = results.filter(([, r]) => !r.ok).map(([name]) => name);
    if (failed.length > 0)
      throw new NotReadyError(`Not ready: ${failed.join(', ')} unreachable`, { details: { checks: report } });
    return { status: 'ready', checks: report };
  });

  app.get(
    '/api/me',
    { config: { permission: 'read' }, schema: { summary: 'Who the token is: name, role, permissions, mode', tags } },
    async (request) => {
      const identity = request.identity ?? { name: '', role: 'observer' as const };
      return {
        name: identity.name,
        role: identity.role,
        permissions: ROLE_PERMISSIONS[identity.role],
        mode: runtime.mode,
        nodeId: runtime.nodeId,
      };
    },
  );

  app.get(
    '/api/metrics',
    { config: { permission: 'read' }, schema: { summary: 'Runtime metrics as JSON', tags } },
    async () => ({
      ...runtime.metrics(),
      liveClients: hub.size,
    }),
  );

  app.get(
    '/api/capabilities',
    { config: { permission: 'read' }, schema: { summary: 'Capabilities the agents provide', tags } },
    async () => ({
      capabilities: runtime.capabilities(),
    }),
  );

  app.get(
    '/metrics',
    { config: { permission: 'read' }, schema: { summary: 'Prometheus text exposition 0.0.4', tags } },
    async (_request, reply) =>
      reply
        .header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
        .send(prometheusText(runtime.metrics(), { liveClients: hub.size })),
  );
}
