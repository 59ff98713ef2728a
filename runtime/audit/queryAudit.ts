import { z } from 'zod';
import { compareDecimals, DECIMAL_PATTERN, parseOrThrow } from '../../kernel/index.ts';
import type { AuditEntry } from './auditEntry.ts';
import { rowToAuditEntry, type AuditEntryRow } from './auditRows.ts';
import { AuditQueryError } from './errors.ts';
import type { SqlExecutor } from './SqlExecutor.ts';

/** Filter of {@link queryAudit}. Times are epoch ms; `from` inclusive, `to` exclusive. */
export interface AuditQuery {
  from?: number;
  to?: number;
  agent?: string;
  currency?: string;
  /** Vault pseudonym of the counterparty. */
  counterparty?: string;
  status?: string;
  /** Exact action, or a prefix ending in `.*` (`agent.act.*`). */
  action?: string;
  /**
   * Amount range, inclusive at both ends, as decimal strings (`"100"`, `"2500.50"`): only entries
   * whose `data.amount` is a decimal string within it (payments, approvals, denials); entries
   * without an amount are left out once either bound is given. Compared as exact decimals.
   */
  minAmount?: string;
  maxAmount?: string;
  /**
   * `exact` (the default): each text filter must equal its column. `prefix`: agent, currency,
   * counterparty, status and action match any value starting with the filter, ignoring case
   * (`usd` finds `USDC`), as an operator typing into a search box expects.
   */
  match?: 'exact' | 'prefix';
  /** `hide`: leave out the routine entries of {@link ROUTINE_AUDIT_ACTIONS} (the dashboard's "hide noise"); default `show`. */
  noise?: 'show' | 'hide';
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/**
 * Entries that record routine bookkeeping rather than a decision or an act: every outcome moving a
 * reputation score, an agent registered or its version recorded at start, a placement taking an
 * agent on, a model's answer (its decision has its own entry). Hidden by `noise: 'hide'`.
 */
export const ROUTINE_AUDIT_ACTIONS: readonly string[] = [
  'reputation.changed',
  'config.agent.registered',
  'config.agent.version.recorded',
  'placement.agent.activated',
  'model.answered',
];

/** One page of audit entries, newest first. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const decimal = z.string().regex(DECIMAL_PATTERN, 'a non-negative decimal such as 2500.50');

/**
 * `data.amount` as a number where it is a decimal string, null elsewhere (a number, an object, a
 * malformed string): the guard keeps one odd entry from failing the whole query with a cast error.
 * PostgreSQL's regular expressions read {@link DECIMAL_PATTERN} as JavaScript does.
 */
const AMOUNT_SQL = `(case when jsonb_typeof(data->'amount') = 'string' and (data->>'amount') ~ '${DECIMAL_PATTERN.source}' then (data->>'amount')::numeric end)`;

const querySchema = z
  .object({
    from: z.number().int().nonnegative().optional(),
    to: z.number().int().nonnegative().optional(),
    agent: z.string().min(1).optional(),
    currency: z.string().min(1).optional(),
    counterparty: z.string().min(1).optional(),
    status: z.string().min(1).optional(),
    action: z.string().min(1).optional(),
    minAmount: decimal.optional(),
    maxAmount: decimal.optional(),
    match: z.enum(['exact', 'prefix']).optional(),
    noise: z.enum(['show', 'hide']).optional(),
    limit: z.number().int().min(1).max(1000),
    cursor: z
      .string()
      .regex(/^s[0-9]+$/, 'a cursor returned as nextCursor')
      .optional(),
  })
  .refine(
    (q) => q.minAmount === undefined || q.maxAmount === undefined || compareDecimals(q.minAmount, q.maxAmount) <= 0,
    {
      message: 'minAmount is above maxAmount',
      path: ['minAmount'],
    },
  );

/** Escapes LIKE's wildcards, so a filter's `%` or `_` matches itself. */
function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Audit entries matching every given filter, newest first, in pages. Each filter is an indexed
 * column (`agent_id`, `currency`, `counterparty`, `status`, `action`, `at`); the cursor is keyset
 * pagination on `seq`, so pages stay stable while entries are appended.
 */
export async function queryAudit(db: SqlExecutor, query: AuditQuery): Promise<AuditPage> {
  const q = parseOrThrow(querySchema, query, {
    what: 'audit query',
    error: AuditQueryError,
    fix: 'limit is 1..1000, times are epoch milliseconds, amounts are decimals with minAmount <= maxAmount, the cursor is the one a page returned',
  });
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    where.push(sql);
    params.push(value);
  };
  if (q.from !== undefined) add('at >= ?', q.from);
  if (q.to !== undefined) add('at < ?', q.to);
  const text = (column: string, value: string | undefined): void => {
    if (value === undefined) return;
    if (q.match === 'prefix') add(`lower(${column}) like ? escape '\\'`, `${likeEscape(value.toLowerCase())}%`);
    else add(`${column} = ?`, value);
  };
  text('agent_id', q.agent);
  text('currency', q.currency);
  text('counterparty', q.counterparty);
  text('status', q.status);
  if (q.action !== undefined) {
    if (q.action.endsWith('.*') && q.match !== 'prefix')
      add(`action like ? escape '\\'`, `${likeEscape(q.action.slice(0, -1))}%`);
    else text('action', q.action.endsWith('.*') ? q.action.slice(0, -1) : q.action);
  }
  if (q.minAmount !== undefined) add(`${AMOUNT_SQL} >= cast(? as numeric)`, q.minAmount);
  if (q.maxAmount !== undefined) add(`${AMOUNT_SQL} <= cast(? as numeric)`, q.maxAmount);
  if (q.noise === 'hide') {
    where.push(`action not in (${ROUTINE_AUDIT_ACTIONS.map(() => '?').join(', ')})`);
    params.push(...ROUTINE_AUDIT_ACTIONS);
  }
  if (q.cursor !== undefined) add('seq < ?', Number(q.cursor.slice(1)));
  const rows = (await db.execute(
    `select * from mandate_audit_entry ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by seq desc limit ?`,
    [...params, q.limit + 1],
  )) as AuditEntryRow[];
  const page = rows.slice(0, q.limit).map(rowToAuditEntry);
  return { entries: page, nextCursor: rows.length > q.limit ? `s${page[page.length - 1]!.seq}` : null };
}
