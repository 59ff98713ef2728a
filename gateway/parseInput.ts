/**
 * Validates one part of a request with zod, turning failures into a coded 400.
 */
import type { z } from 'zod';
import { parseOrThrow } from '../kernel/index.ts';
import { RequestInvalidError } from './errors.ts';

/**
 * Parses `value` (the request's `where`: params, query or body) with `schema`.
 * @throws RequestInvalidError naming the first failing field (`body.reason`) and quoting its value.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'params' | 'query' | 'body',
): z.output<S> {
  return parseOrThrow(schema, value ?? (where === 'body' ? undefined : {}), {
    what: `request ${where}`,
    error: RequestInvalidError,
    at: [where],
  });
}
