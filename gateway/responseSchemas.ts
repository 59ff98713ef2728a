/**
 * zod schemas for the responses of the gateway's hot routes: they are compiled into serializers
 * (`compileZodSerializer.ts`) and they describe the responses in /api/openapi.json.
 */
import { z } from 'zod';
import type { AgentSummary, HealthScore } from '../runtime/index.ts';

const HealthScoreSchema: z.ZodType<HealthScore> = z.object({
  score: z.number(),
  errors: z.number(),
  latency: z.number(),
  reputation: z.number(),
  sandbox: z.number(),
});

/** One agent as GET /api/agents lists it (`AgentSummary`). */
export const AgentSummarySchema: z.ZodType<AgentSummary> = z.object({
  id: z.string(),
  node: z.string(),
  did: z.string(),
  capabilities: z.array(z.string()),
  state: z.string(),
  parentId: z.string(),
  group: z.string(),
  dependsOn: z.array(z.string()),
  reputation: z.number(),
  health: HealthScoreSchema,
  version: z.object({ number: z.number(), hash: z.string(), label: z.string() }).optional(),
  mode: z.enum(['dry-run', 'live']),
  paused: z.boolean(),
  killed: z.boolean(),
  cycle: z.number(),
  cycles: z.number(),
  restarts: z.number(),
  failures: z.number(),
  wallet: z.object({ chain: z.string(), address: z.string() }).optional(),
});

/** The answer of GET /api/agents: the window of matching agents and how many match in all. */
export const AgentListSchema = z.object({ agents: z.array(AgentSummarySchema), total: z.number() });

const decimal = z.string().describe('an exact decimal amount, e.g. "1250.5"');

const SeriesPointSchema = z.object({
  at: z.number().describe('start of the bucket (epoch ms)'),
  cycles: z.number(),
  failures: z.number(),
  payments: z.number().describe('payment.send actions settled, every status'),
  latency: z
    .object({ count: z.number(), totalMs: z.number(), maxMs: z.number() })
    .describe(
      'cycles that ended in the bucket: how many, their total and the longest time in ms (mean = totalMs / count)',
    ),
  assets: z
    .record(z.string(), z.object({ payments: z.number(), volume: decimal, fees: decimal }))
    .describe(
      'by asset: payments with an amount in it, the amount of those that moved (or would have, in dry-run) and the fees charged in it; only the `asset` asked for when the query names one',
    ),
});

/** The answer of GET /api/metrics/series (`SeriesResult`): a point per bucket, and the agents, regions and assets seen. */
export const SeriesResultSchema = z.object({
  from: z.number(),
  to: z.number(),
  step: z.number(),
  points: z.array(SeriesPointSchema),
  agents: z.array(z.object({ agent: z.string(), region: z.string() })),
  assets: z.array(z.string()).describe('every asset with stored amounts, whatever the range and filter'),
});
