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
  return (data: unknown) => {
    try {
      return { value: parseInput(schema, data, where) };
    } catch (error) {
      return { error: error as Error };
    }
  };
};
