import { z } from 'zod';
import { parseOrThrow } from '../../kernel/index.ts';
import { StoreInputError } from './errors.ts';

const json = z.record(z.string(), z.unknown());
const time = z.number().int().nonnegative();
const principal = z.object({ kind: z.enum(['agent', 'human', 'system']), id: z.string().min(1) });

/** Boundary schemas of everything the runtime hands the store. */
export const storeSchemas = {
  agent: z.object({
    id: z.string().min(1),
    did: z.string().startsWith('did:key:'),
    version: z.string().min(1),
    supervisorId: z.string().min(1),
    definition: json,
    identitySeed: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a 32-byte Ed25519 seed in base64url'),
  }),
  snapshot: z.object({
    agentId: z.string().min(1),
    supervisorId: z.string().min(1),
    snapshot: z.unknown(),
    state: z.string(),
    seq: z.number().int().nonnegative(),
    at: time,
    fence: z.number().int().positive().optional(),
  }),
  /** An XState persisted snapshot: what `createActor(machine, { snapshot })` accepts. */
  persistedSnapshot: z.looseObject({
    status: z.enum(['active', 'done', 'error', 'stopped']),
    value: z.unknown(),
    context: z.unknown(),
  }),
  transition: z.object({
    type: z.literal('transition'),
    seq: z.number().int().nonnegative(),
    actorId: z.string().min(1),
    parentId: z.string().optional(),
    actorKind: z.enum(['agent', 'supervisor']),
    from: z.string(),
    to: z.string(),
    event: z.string(),
    summary: json,
    at: time,
  }),
  decision: z.object({
    id: z.string().min(1),
    agentId: z.string().min(1),
    cycle: z.number().int().nonnegative(),
    trigger: json,
    facts: json,
    rulesFired: z.array(z.string()),
    rationale: z.string(),
    confidence: z.number().min(0).max(1),
    model: z.string().nullable(),
    action: json.nullable(),
    verdict: z
      .object({
        status: z.enum(['approved', 'denied', 'pending']),
        by: z.string(),
        reason: z.string(),
        approvalId: z.string().optional(),
        stages: z
          .array(
            z.object({
              stage: z.string(),
              role: z.string(),
              status: z.enum(['approved', 'denied', 'pending']),
              reason: z.string(),
            }),
          )
          .optional(),
      })
      .nullable(),
    outcome: z
      .object({
        status: z.enum([
          'succeeded',
          'failed',
          'denied',
          'rejected',
          'expired',
          'no-action',
          'would-have-sent',
          'refused',
        ]),
        receipt: json.optional(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
        durationMs: z.number().nonnegative().optional(),
        fees: z.object({ value: z.string(), asset: z.string() }).optional(),
        slippageBps: z.number().optional(),
      })
      .nullable(),
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'a trace id is 32 lower-case hex digits')
      .nullable()
      .optional(),
    createdAt: time,
    updatedAt: time,
  }),
  approval: z.object({
    id: z.string().min(1),
    kind: z.literal('review').optional(),
    agentId: z.string().min(1),
    decisionId: z.string(),
    action: json,
    reason: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'expired']),
    requestedAt: time,
    expiresAt: time,
    decidedAt: time.optional(),
    decidedBy: principal.optional(),
    decisionReason: z.string().optional(),
    required: z.number().int().positive().optional(),
    approvers: z.array(z.string()).optional(),
    signatures: json.optional(),
    // A quorum's grants counted so far: dropped here, they were lost at a restart.
    grants: z.array(z.object({ by: principal, at: time, reason: z.string().optional() })).optional(),
  }),
  intentBegin: z.object({
    key: z.string().min(1),
    agentId: z.string().min(1),
    decisionId: z.string(),
    paramsHash: z.string().min(1),
    params: json,
    reference: z.string().optional(),
    receipt: json.optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    at: time,
    fence: z.number().int().positive().optional(),
  }),
  intentPatch: z.object({
    status: z.enum(['pending', 'executing', 'succeeded', 'failed']).optional(),
    reference: z.string().optional(),
    receipt: json.optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    attempts: z.number().int().nonnegative().optional(),
    at: time,
    fence: z.number().int().positive().optional(),
  }),
  fence: z.object({
    agentId: z.string().min(1),
    token: z.number().int().positive(),
    nodeId: z.string().min(1),
  }),
  killSwitch: z.object({
    all: z.boolean(),
    agents: z.array(z.string()),
    groups: z.array(z.string()),
    capabilities: z.array(z.string()),
  }),
  reputation: z.object({
    agentId: z.string().min(1),
    kind: z.string().min(1),
    delta: z.number().finite(),
    score: z.number().finite().optional(),
    reason: z.string(),
    data: json.default({}),
    at: time,
  }),
};

/** Parses `value` with `schema` or throws {@link StoreInputError} naming the field, quoting its value, and saying nothing was written. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  return parseOrThrow(schema, value, {
    what,
    error: StoreInputError,
    fix: `nothing was written; fix the ${what} and retry`,
  });
}
