/**
 * zod schemas for every input the gateway accepts: params, query strings, bodies.
 */
import { z } from 'zod';
import { compareDecimals, DECIMAL_PATTERN, storableText, unstorableJson } from '../kernel/index.ts';

/** Agent, supervisor and approval ids: printable, no slashes, at most 200 characters (dids allowed). */
export const IdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'letters, digits and . _ : @ - only, starting with a letter or digit');

/** `:id` route params. */
export const IdParamsSchema = z.object({ id: IdSchema }).strict();

const count = (max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number)
    .pipe(z.number().int().min(0).max(max));

/** Query of GET /api/agents: optional filters and a window, for systems with thousands of agents. */
export const AgentsQuerySchema = z
  .object({
    group: IdSchema.optional(),
    capability: IdSchema.optional(),
    state: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/)
      .optional(),
    limit: count(10_000).pipe(z.number().min(1)).optional(),
    offset: count(1_000_000).optional(),
  })
  .strict();

/** Query of GET /api/agents/:id/reputation: how many stored changes to return (newest first). */
export const ReputationQuerySchema = z.object({ limit: count(500).pipe(z.number().min(1)).optional() }).strict();

/** Why an operator does something; stored in the audit log. */
export const ReasonSchema = storableText().trim().min(1, 'say why: the reason goes in the audit log').max(1000);

/** Body of pause / resume / stop. */
export const OverrideBodySchema = z.object({ reason: ReasonSchema }).strict();

/** Body of approve: the reason is optional. */
export const ApproveBodySchema = z
  .object({
    reason: ReasonSchema.optional(),
    /** For a Safe-quorum approval: the approver's EIP-712 signature of its transaction, made in their wallet. */
    signature: z
      .string()
      .regex(/^0x[0-9a-fA-F]{130}$/, 'a 0x-prefixed 65-byte signature (130 hex digits)')
      .optional(),
  })
  .strict();

/** Body of reject: the reason is required. */
export const RejectBodySchema = z.object({ reason: ReasonSchema }).strict();

const nameList = z.array(IdSchema).max(1000);

/** Scope of a kill switch change: everything, or some agents, groups or capabilities. */
export const KillScopeSchema = z
  .object({
    all: z.boolean().optional(),
    agents: nameList.optional(),
    groups: nameList.optional(),
    capabilities: nameList.optional(),
  })
  .strict()
  .refine(
    (s) => s.all === true || (s.agents?.length ?? 0) + (s.groups?.length ?? 0) + (s.capabilities?.length ?? 0) > 0,
    {
      message: 'scope is empty: set "all": true or list agents, groups or capabilities',
    },
  );

/** Body of POST /api/kill-switch. */
export const KillSwitchBodySchema = z
  .object({ action: z.enum(['engage', 'release']), scope: KillScopeSchema, reason: ReasonSchema })
  .strict();

/** Query of GET /api/approvals. */
export const ApprovalsQuerySchema = z
  .object({ status: z.enum(['pending', 'approved', 'rejected', 'expired']).optional() })
  .strict();

/** Query of GET /api/alerts: a status filter and how many (newest first, default 200). */
export const AlertsQuerySchema = z
  .object({ status: z.enum(['open', 'acknowledged', 'resolved']).optional(), limit: count(1_000).optional() })
  .strict();

/** A time bound: epoch milliseconds or an ISO-8601 date-time. */
const TimeSchema = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.iso.date().transform((s) => Date.parse(s)),
]);

const filterText = storableText().trim().min(1).max(200);

/** One end of an amount range: a non-negative decimal as amounts are written (`2500.50`). */
const AmountBoundSchema = z.string().trim().regex(DECIMAL_PATTERN, 'a non-negative decimal such as 2500.50');

/** Filters shared by the audit query and its exports. */
export const AuditFilterSchema = z.object({
  from: TimeSchema.optional(),
  to: TimeSchema.optional(),
  agent: filterText.optional(),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]{1,20}$/, 'an asset code such as USDC')
    .optional(),
  counterparty: filterText.optional(),
  status: filterText.optional(),
  action: filterText.optional(),
  /** Amount range, inclusive, as decimals (`100`, `2500.50`): entries whose `data.amount` lies within it. */
  minAmount: AmountBoundSchema.optional(),
  maxAmount: AmountBoundSchema.optional(),
  /** `prefix`: the text filters match case-insensitively by prefix (the dashboard's search boxes); default `exact`. */
  match: z.enum(['exact', 'prefix']).optional(),
  /** `hide`: leave out routine entries (reputation moves, registrations, placements, model answers); default `show`. */
  noise: z.enum(['show', 'hide']).optional(),
});

const ordered = <T extends { from?: number; to?: number }>(q: T): boolean =>
  q.from === undefined || q.to === undefined || q.from <= q.to;

const amountsOrdered = <T extends { minAmount?: string; maxAmount?: string }>(q: T): boolean =>
  q.minAmount === undefined || q.maxAmount === undefined || compareDecimals(q.minAmount, q.maxAmount) <= 0;

/** Query of GET /api/audit. */
export const AuditQuerySchema = AuditFilterSchema.extend({
  limit: z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(500))
    .optional(),
  cursor: z
    .string()
    .regex(/^s\d{1,15}$/, 'the nextCursor of a previous page')
    .optional(),
})
  .strict()
  .refine(ordered, { message: '"from" is after "to"' })
  .refine(amountsOrdered, { message: '"minAmount" is above "maxAmount"', path: ['minAmount'] });

/** Query of the audit exports (no paging: they export every matching entry). */
export const AuditExportQuerySchema = AuditFilterSchema.strict()
  .refine(ordered, { message: '"from" is after "to"' })
  .refine(amountsOrdered, { message: '"minAmount" is above "maxAmount"', path: ['minAmount'] });

/** Body of POST /api/tasks. */
export const TaskBodySchema = z
  .object({
    capability: IdSchema,
    // Every string and key storable exactly as hashed, and no deeper than MAX_JSON_DEPTH.
    input: z.record(z.string(), z.unknown()).superRefine((input, ctx) => {
      const bad = unstorableJson(input);
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: bad.reason, path: bad.path });
    }),
  })
  .strict();

const epochMs = z
  .string()
  .regex(/^\d{1,15}$/, 'epoch milliseconds (digits only)')
  .transform(Number);

const DURATION_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A span back from now: a whole number and a unit, `15m`, `1h`, `24h`, `7d` (at most 400 days), in ms. */
const durationMs = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhd]$/, 'a duration: a whole number and s, m, h or d (15m, 1h, 24h, 7d)')
  .transform((v) => Number(v.slice(0, -1)) * DURATION_UNIT_MS[v.slice(-1) as keyof typeof DURATION_UNIT_MS])
  .pipe(z.number().max(400 * 86_400_000, 'at most 400 days'));

/**
 * Query of GET /api/metrics/series: one agent or one region (or all), one asset's amounts (or
 * every asset's), a time range (`from`/`to`, or `last` back from `to`) and a bucket size, all optional.
 */
export const SeriesQuerySchema = z
  .object({
    last: durationMs.optional(),
    agent: IdSchema.optional(),
    region: z
      .string()
      .regex(/^[A-Za-z0-9._:/-]{1,64}$/, 'a region label: letters, digits and . _ : / - only, at most 64')
      .optional(),
    asset: z
      .string()
      .regex(/^[A-Za-z0-9._:/-]{1,64}$/, 'an asset symbol: letters, digits and . _ : / - only, at most 64 (USDC)')
      .optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
    step: z
      .string()
      .regex(/^\d{1,9}$/, 'milliseconds (digits only)')
      .transform(Number)
      .pipe(z.number().int().min(1_000, 'at least 1000 ms').max(86_400_000, 'at most one day (86400000 ms)'))
      .optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.last !== undefined && q.from !== undefined)
      ctx.addIssue({ code: 'custom', path: ['last'], message: 'give either "last" or "from", not both' });
  });

/** Most buckets one series read answers with. */
export const SERIES_MAX_POINTS = 1_000;

/** The range of a series read once its defaults are filled in: `from` before `to`, at most {@link SERIES_MAX_POINTS} buckets. */
export const SeriesWindowSchema = z
  .object({ from: z.number(), to: z.number(), step: z.number() })
  .superRefine((w, ctx) => {
    if (w.from >= w.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before "to"' });
    else if ((w.to - w.from) / w.step > SERIES_MAX_POINTS)
      ctx.addIssue({
        code: 'custom',
        path: ['step'],
        message: `is too small for the range: at most ${SERIES_MAX_POINTS} buckets (use a step of at least ${Math.ceil((w.to - w.from) / SERIES_MAX_POINTS)} ms)`,
      });
  });
