import type { z } from 'zod';
import { RegistryInputError } from './errors.ts';

/** Parses `value` with `schema` or throws {@link RegistryInputError} naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.join('.') || '(root)';
  throw new RegistryInputError(`Invalid ${what}: field "${path}" ${issue?.message ?? 'is invalid'}.`, { details: { path, issues: r.error.issues.slice(0, 5) } });
}
