/**
 * POST /api/tasks: ask the agent system for work, under full governance.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { principalOf } from '../authenticate.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { TaskBodySchema } from '../schemas.ts';
import { submitGoverned } from '../submitGoverned.ts';

/** Registers POST /api/tasks: 200 with the task result, or 202 with the approval it waits for. */
export function taskRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  const schema = {
    summary:
      'Ask the agent system for work under full governance: 200 with the result, 202 with the approval it waits for',
    tags: ['tasks'],
    body: TaskBodySchema,
  };
  app
    .withTypeProvider<ZodTypeProvider>()
    .post('/api/tasks', { config: { permission: 'task.submit' }, schema }, async (request, reply) => {
      const { capability, input } = request.body;
      const task = await submitGoverned(runtime, { capability, input, by: principalOf(request) });
      return task.status === 'pending' ? reply.code(202).send(task) : task;
    });
}
