import { z } from 'zod';

const principal = z.object({ kind: z.enum(['agent', 'human', 'system']), id: z.string().min(1).max(200) }).strict();

/**
 * The events operators and peers may send to an agent from outside the
 * runtime, validated before they reach the actor. Phase results
 * (`agent.perceive.done`, …) are not among them: only the runtime host sends those.
 */
export const externalEventSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('agent.trigger'),
      trigger: z
        .object({
          kind: z.enum(['time', 'event', 'user', 'message']),
          name: z.string().min(1).max(500),
          at: z.number().int().nonnegative(),
          data: z.record(z.string(), z.unknown()).optional(),
          traceparent: z.string().max(64).optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ type: z.literal('agent.pause') }).strict(),
  z.object({ type: z.literal('agent.resume') }).strict(),
  z.object({ type: z.literal('agent.retry') }).strict(),
  z.object({ type: z.literal('agent.stop'), reason: z.string().max(2000).optional() }).strict(),
  z.object({ type: z.literal('agent.kill') }).strict(),
  z.object({ type: z.literal('agent.release') }).strict(),
  z
    .object({
      type: z.literal('governance.approval.granted'),
      approvalId: z.string().min(1),
      by: principal,
      at: z.number().int().nonnegative(),
    })
    .strict(),
  z
    .object({
      type: z.literal('governance.approval.rejected'),
      approvalId: z.string().min(1),
      by: principal,
      reason: z.string().min(1).max(2000),
      at: z.number().int().nonnegative(),
    })
    .strict(),
  z
    .object({
      type: z.literal('governance.approval.expired'),
      approvalId: z.string().min(1),
      at: z.number().int().nonnegative(),
    })
    .strict(),
]);

/** A validated external event. */
export type ExternalEvent = z.infer<typeof externalEventSchema>;
