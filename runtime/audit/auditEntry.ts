import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditInput } from './AuditInput.ts';
import { CanonicalJsonError, canonicalJson, parseOrThrow } from '../../kernel/index.ts';
import { AuditInputError } from './errors.ts';

/** `prevHash` of the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** One stored audit entry: the input, its position in the chain, and the chain hashes. */
export interface AuditEntry extends AuditInput {
  seq: number;
  /** Filter columns derived from `data` (see {@link auditColumns}). */
  agentId: string | null;
  currency: string | null;
  counterparty: string | null;
  status: string | null;
  prevHash: string;
  hash: string;
}

/** Keys that hold personal data; they belong in the vault, referenced by pseudonymous id. */
// Not `address`: on the crypto rails that is a wallet address, which the audit trail must keep.
const PERSONAL_KEYS = new Set([
  'iban',
  'email',
  'phone',
  'fullname',
  'accountholder',
  'counterpartyname',
  'postaladdress',
  'streetaddress',
  'dateofbirth',
]);

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().finite(),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

const auditInputSchema = z.object({
  who: z.object({ kind: z.enum(['agent', 'human', 'system']), id: z.string().min(1) }),
  action: z.string().regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/i, 'a dot-named action such as "agent.act.succeeded"'),
  subject: z.string(),
  where: z.string(),
  why: z.string(),
  data: z.record(z.string(), jsonValue),
  at: z.number().int().nonnegative(),
});

/**
 * Validates an audit input at the store boundary: its shape, JSON-only data, and that no personal
 * data is inlined (`iban`, `email`, … keys anywhere; `counterparty` must be a vault pseudonym).
 * Returns a copy whose `data` is normalised to what jsonb will give back.
 */
export function parseAuditInput(input: unknown): AuditInput {
  const entry: AuditInput = parseOrThrow(auditInputSchema, input, {
    what: 'audit entry',
    error: AuditInputError,
    fix: 'nothing was written; fix the entry and append it again',
  });
  const personal = findPersonalKey(entry.data, 'data');
  if (personal !== undefined) {
    throw new AuditInputError(
      `Audit entry "${entry.action}" inlines personal data at "${personal}". Store it with vault.put() and reference the returned pseudonymous id instead; the chain must stay verifiable after erasure.`,
      { details: { path: personal } },
    );
  }
  if (entry.data.counterparty !== undefined && typeof entry.data.counterparty !== 'string') {
    throw new AuditInputError(
      `Audit entry "${entry.action}" has a counterparty object; pass the vault pseudonym (vault.put() returns it) as data.counterparty.`,
    );
  }
  return { ...entry, data: canonicalData(entry) };
}

/** `data` as jsonb will give it back; every string of the entry is checked here, at the boundary, because the hash covers them all. */
function canonicalData(entry: AuditInput): Record<string, unknown> {
  const { at: _at, ...hashed } = entry;
  try {
    return (JSON.parse(canonicalJson(hashed)) as AuditInput).data;
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    // A lone surrogate: jsonb refuses it and a text column stores U+FFFD, so the entry could never verify.
    throw new AuditInputError(`Audit entry "${entry.action}" cannot be hashed: ${error.message}`, {
      cause: error,
      details: error.details,
    });
  }
}

function findPersonalKey(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findPersonalKey(value[i], `${path}.${i}`);
      if (hit !== undefined) return hit;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (PERSONAL_KEYS.has(key.toLowerCase().replace(/[_-]/g, ''))) return `${path}.${key}`;
      const hit = findPersonalKey(inner, `${path}.${key}`);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

/**
 * The filter columns of an entry, derived from its data so that `verify()` can check them:
 * `agentId` = `data.agentId`, else the subject of an `agent.*` action; `currency` = `data.currency`
 * or `data.asset`; `counterparty` = `data.counterparty`; `status` = `data.status`.
 */
export function auditColumns(
  input: Pick<AuditInput, 'action' | 'subject' | 'data'>,
): Pick<AuditEntry, 'agentId' | 'currency' | 'counterparty' | 'status'> {
  const d = input.data;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    agentId: str(d.agentId) ?? (input.action.startsWith('agent.') ? input.subject : null),
    currency: str(d.currency) ?? str(d.asset),
    counterparty: str(d.counterparty),
    status: str(d.status),
  };
}

/** sha-256 (hex) of the canonical form of an entry without its own hash; the next entry's `prevHash`. */
export function auditEntryHash(
  entry: Pick<AuditEntry, 'seq' | 'at' | 'who' | 'action' | 'subject' | 'where' | 'why' | 'data' | 'prevHash'>,
): string {
  const canonical = canonicalJson({
    v: 1,
    seq: entry.seq,
    at: entry.at,
    who: { kind: entry.who.kind, id: entry.who.id },
    action: entry.action,
    subject: entry.subject,
    where: entry.where,
    why: entry.why,
    data: entry.data,
    prevHash: entry.prevHash,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** Chains validated inputs after the head `{ seq, hash }`: assigns seqs, derives columns, computes hashes. */
export function chainEntries(head: { seq: number; hash: string }, inputs: AuditInput[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  let { seq, hash } = head;
  for (const input of inputs) {
    seq += 1;
    const base = {
      seq,
      at: input.at,
      who: input.who,
      action: input.action,
      subject: input.subject,
      where: input.where,
      why: input.why,
      data: input.data,
      prevHash: hash,
    };
    hash = auditEntryHash(base);
    out.push({ ...base, ...auditColumns(input), hash });
  }
  return out;
}
