/**
 * The gateway's OpenAPI 3.1 document, built from the routes' own zod schemas, and the page that
 * shows it. Every route must describe itself (a summary, and its params when its path has any):
 * registering one that does not fails at startup, so the document always lists every route.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { describeRoute } from './describeRoute.ts';
import { openApiDocsPage } from './openApiDocsPage.ts';
import { zodValidatorCompiler } from './zodValidatorCompiler.ts';

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/api/openapi.json';

/** Where the human-readable API page is served. */
export const API_DOCS_PATH = '/api/docs';

/** Throws when a route registers without describing itself; HEAD routes and hidden (static file) routes excepted. */
function requireDescription(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.every((m) => m === 'HEAD')) return;
  const schema = route.schema as { summary?: unknown; hide?: unknown; params?: unknown } | undefined;
  if (schema?.hide === true) return;
  const where = `${methods.join(',')} ${route.url}`;
  if (typeof schema?.summary !== 'string' || schema.summary.length === 0)
    throw new TypeError(
      `Route ${where} has no schema.summary; describe it ({ schema: { summary, tags, params, querystring, body } }) so it appears in ${OPENAPI_PATH}`,
    );
  if (route.url.includes('/:') && schema.params === undefined)
    throw new TypeError(`Route ${where} has path params but no schema.params; give it a zod schema for them`);
}

/**
 * Sets the zod validator compiler, registers @fastify/swagger and the two documentation routes.
 * Call before any other route is registered.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.setValidatorCompiler(zodValidatorCompiler);
  app.addHook('onRoute', requireDescription);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mandate gateway',
        version: '1',
        description:
          'The operator API of a Mandate runtime: agents, approvals, kill switch, audit, tasks, tokens. Errors are `{ error: { code, message, details } }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an `mdt_` token' } } },
    },
    transform: describeRoute,
  });
  app.get(
    OPENAPI_PATH,
    { schema: { summary: 'This document: every route of the gateway as OpenAPI 3.1', tags: ['meta'] } },
    async () => app.swagger(),
  );
  app.get(
    API_DOCS_PATH,
    { schema: { summary: 'The API reference as a page, rendered from the OpenAPI document', tags: ['meta'] } },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(openApiDocsPage(app.swagger())),
  );
}
