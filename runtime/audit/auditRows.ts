import { z } from 'zod';
import type { AuditEntry } from './auditEntry.ts';

/** A raw `mandate_audit_entry` row as node-postgres returns it (bigints as strings, jsonb parsed). */
export interface AuditEntryRow {
  seq: string | number;
  at: string | number;
  who_kind: string;
  who_id: string;
  action: string;
  subject: string;
  location: string;
  why: string;
  agent_id: string | null;
  currency: string | null;
  counterparty: string | null;
  status: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
}

const rowSchema = z.object({
  seq: z.coerce.number().int().positive(),
  at: z.coerce.number().int().nonnegative(),
  who_kind: z.enum(['agent', 'human', 'system']),
  who_id: z.string(),
  action: z.string(),
  subject: z.string(),
  location: z.string(),
  why: z.string(),
  agent_id: z.string().nullable(),
  currency: z.string().nullable(),
  counterparty: z.string().nullable(),
  status: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});

/** Parses a stored row into an {@link AuditEntry}; throws a ZodError when a column holds the wrong kind of value. */
export function rowToAuditEntry(row: AuditEntryRow): AuditEntry {
  const r = rowSchema.parse(row);
  return {
    seq: r.seq,
    at: r.at,
    who: { kind: r.who_kind, id: r.who_id },
    action: r.action,
    subject: r.subject,
    where: r.location,
    why: r.why,
    data: r.data,
    agentId: r.agent_id,
    currency: r.currency,
    counterparty: r.counterparty,
    status: r.status,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
