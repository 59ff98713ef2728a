/**
 * Fastify's validator compiler for the routes' zod schemas: the schemas that describe a route in
 * the OpenAPI document are the ones that check its requests, with the gateway's coded errors.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { parseInput } from './parseInput.ts';

const PARTS = { body: 'body', querystring: 'query', params: 'params' } as const;

/**
 * Validates a request part with its route's zod schema; a failure is a `MANDATE_ERR_REQUEST_INVALID`
 * naming the first failing field (`query.limit`), and the parsed value (with its transforms applied)
 * replaces the raw one. Runs after the authentication hook, so a caller without the right role is
 * refused before any validation.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const where = PARTS[httpPart as keyof typeof PARTS];
  if (where === undefined)
    throw new TypeError(`Route schemas describe body, querystring and params only (got "${String(httpPart)}")`);
  // Most reads carry no query string (GET /api/agents from the dashboard): when the schema turns an
  // empty query into an empty object, with no default to fill in, that answer is known without
  // running zod again. Anything else, and any query with a parameter, is parsed as usual.
  const emptyIsEmpty = where === 'query' && parsesEmptyToEmpty(schema);
  return (data: unknown) => {
    if (emptyIsEmpty && isEmptyObject(data)) return { value: {} };
    try {
      return { value: parseInput(schema, data, where) };
    } catch (error) {
      return { error: error as Error };
    }
  };
};

/** Whether `schema` accepts `{}` and answers a plain object with no own property (no defaults, no transform adding any). */
function parsesEmptyToEmpty(schema: z.ZodType): boolean {
  const parsed = schema.safeParse({});
  return parsed.success && isEmptyObject(parsed.data);
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const _key in value) return false;
  return true;
}
