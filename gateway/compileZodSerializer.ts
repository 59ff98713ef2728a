/**
 * Compiles a zod response schema, through its JSON Schema, into a fast-json-stringify function, so a
 * hot route (GET /api/agents) does not pay for a generic `JSON.stringify` walk of its answer.
 */
import fastJsonStringify, { type Schema } from 'fast-json-stringify';
import { z } from 'zod';

/**
 * Compiles `schema` into a serializer. Properties the schema does not name are left out and a
 * missing required one throws (a 500), so a response schema must describe the whole value:
 * `responseSchemas.test.ts` round-trips every field of the types they describe.
 *
 * @example
 * const serialize = compileZodSerializer(AgentListSchema);
 * reply.type('application/json; charset=utf-8').send(serialize({ agents, total }));
 */
export function compileZodSerializer(schema: z.ZodType): (data: unknown) => string {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' });
  return fastJsonStringify(json as Schema);
}
