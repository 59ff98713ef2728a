/**
 * The OpenAPI transform of each route: its zod schemas become JSON Schema (fastify-type-provider-zod),
 * and what every route has in common is added here once: the bearer security requirement and the
 * permission it needs, and the coded error body every failure carries.
 */
import type { SwaggerTransform } from '@fastify/swagger';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CODES } from '../kernel/index.ts';
import { ROLE_PERMISSIONS, ROLES } from './roles.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The zod schema of the 200 answer, for a route that sends JSON it serialized itself (documented here). */
    response?: z.ZodType;
  }
}

const toJsonSchema = createJsonSchemaTransform({ skipList: [] });

/** The OpenAPI 3.1 (JSON Schema 2020-12) form of a route's declared answer, or nothing. */
function successSchema(response: z.ZodType | undefined): object {
  if (response === undefined) return {};
  const { $schema: _dialect, ...json } = z.toJSONSchema(response, { io: 'output' });
  return json;
}

/** The body of every error response (`{ error: { code, message, details } }`), as JSON Schema. */
const ERROR_BODY = {
  description: 'A coded error: the code is listed in docs/errors.md, the message says what to do',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
};

/** The roles that hold `permission`, for the operation's description. */
function rolesWith(permission: string): string[] {
  return ROLES.filter((role) => (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission));
}

/** The transform @fastify/swagger runs on every route when it builds the document. */
export const describeRoute: SwaggerTransform = (document) => {
  // @fastify/websocket hides its routes from the document, but the live stream is part of the API.
  const websocket = (document.route as { websocket?: boolean }).websocket === true;
  const { schema, url } = toJsonSchema(
    websocket ? { ...document, schema: { ...document.schema, hide: false } } : document,
  );
  if (schema.hide === true) return { schema, url };
  const permission = document.route.config?.permission;
  const notes = [
    typeof schema.description === 'string' ? schema.description : undefined,
    permission === undefined
      ? 'Public: no token needed.'
      : `Needs the \`${permission}\` permission (roles: ${rolesWith(permission).join(', ')}).`,
  ].filter((s): s is string => s !== undefined);
  return {
    url,
    schema: {
      ...schema,
      description: notes.join('\n\n'),
      ...(permission === undefined ? {} : { security: [{ bearer: [] }] }),
      response: {
        200: { description: 'Success', ...successSchema(document.route.config?.response) },
        '4xx': ERROR_BODY,
        '5xx': ERROR_BODY,
      },
    },
  };
};
