/**
 * POST /api/tasks: ask the agent system for work, under full governance.
 */
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../authenticate.ts';
import { parseInput } from '../parseInput.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { TaskBodySchema } from '../schemas.ts';
import { submitGoverned } from '../submitGoverned.ts';

/** Registers POST /api/tasks: 200 with the task result, or 202 with the approval it waits for. */
export function taskRoutes(app: FastifyInstance, runtime: MandateRuntime): void {
  app.post('/api/tasks', { config: { permission: 'task.submit' } }, async (request, reply) => {
    const { capability, input } = parseInput(TaskBodySchema, request.body, 'body');
    const task = await submitGoverned(runtime, { capability, input, by: principalOf(request) });
    return task.status === 'pending' ? reply.code(202).send(task) : task;
  });
}
