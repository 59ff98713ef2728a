/**
 * Turns every failure into `{ error: { code, message, details } }` with the
 * right status. Client mistakes are 4xx with a code; only real faults are 500,
 * and those never leak internals.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MandateError } from '../kernel/index.ts';
import { GatewayInternalError, RouteNotFoundError } from './errors.ts';

/** The body every error response carries. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Fastify error handler. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  let coded: MandateError;
  if (error instanceof MandateError) {
    coded = error;
  } else if (
    'statusCode' in error &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  ) {
    // Fastify's own client errors: bad JSON, wrong content type, body too large.
    coded = new MandateError('MANDATE_ERR_REQUEST_INVALID', error.message, {
      status: error.statusCode,
      details: { fastifyCode: (error as FastifyError).code },
    });
  } else {
    request.log.error({ err: error }, 'unexpected gateway failure');
    coded = new GatewayInternalError(undefined, { details: { requestId: request.id } });
  }
  if (coded.status >= 500) request.log.error({ err: error, code: coded.code }, coded.message);
  // Refused calls are security events: keep who tried what (never the token itself).
  else if (coded.status === 401 || coded.status === 403)
    request.log.warn(
      { code: coded.code, method: request.method, url: request.url, who: request.identity?.name },
      coded.message,
    );
  void reply.code(coded.status).send({ error: coded.toJSON() } satisfies ErrorBody);
}

/** Fastify not-found handler. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const error = new RouteNotFoundError(
    `No route ${request.method} ${request.url.split('?')[0]}; see the API list in the README`,
  );
  void reply.code(404).send({ error: error.toJSON() } satisfies ErrorBody);
}
