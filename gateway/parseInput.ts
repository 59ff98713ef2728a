/**
 * Validates one part of a request with zod, turning failures into a coded 400.
 */
import type { z } from 'zod';
import { RequestInvalidError } from './errors.ts';

/**
 * Parses `value` (the request's `where`: params, query or body) with `schema`.
 * @throws RequestInvalidError listing each failing field.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'params' | 'query' | 'body'): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new RequestInvalidError(`Invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: { issues } });
}
