import { z } from 'zod';
import { InvalidEventError } from '../../machines/errors.ts';

/** Who is asking: an agent (by did), a human (by token name) or the system. */
export const principalSchema = z.object({ kind: z.enum(['agent', 'human', 'system']), id: z.string().min(1).max(200) }).strict();

/** A reason that goes into the audit trail. */
export const reasonSchema = z.string().min(1, 'say why: the reason goes in the audit log').max(2000);

/**
 * Validates an operator or peer input before anything changes; throws `MANDATE_ERR_EVENT_INVALID`
 * naming the field and what is wrong with it.
 */
export function checkInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || what;
  throw new InvalidEventError(`Invalid ${what}: "${field}" ${issue.message}.`, { details: { field } });
}
