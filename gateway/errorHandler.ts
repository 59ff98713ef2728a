/**
 * Turns every failure into `{ error: { code, message, details } }` with the
 * right status. Client mistakes are 4xx with a code; only real faults are 500,
 * and those never leak internals.
 */
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isMandateError, MandateError, type ErrorCode } from '../kernel/index.ts';
import {
  GatewayInternalError,
  RequestHeadersTooLargeError,
  RequestInvalidError,
  RequestMediaTypeError,
  RequestTooLargeError,
  RequestUriTooLongError,
  RouteNotFoundError,
} from './errors.ts';

/** The body every error response carries. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** Fastify error handler. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  let coded: MandateError;
  if (isMandateError(error)) {
    coded = error;
  } else if (
    'statusCode' in error &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  ) {
    // Fastify's own client errors: bad JSON, wrong content type, body too large.
    coded = clientError(error, request.routeOptions.bodyLimit);
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
  // The status is the code table's (ERROR_CODES), never the call site's.
  void reply.code(coded.status).send({ error: coded.toJSON() } satisfies ErrorBody);
}

/** A Fastify client error (4xx) as a coded error: its status picks the code, the code gives the status back. */
function clientError(error: FastifyError, bodyLimit: number): MandateError {
  const options = { details: { fastifyCode: error.code } };
  if (error.statusCode === 413)
    return new RequestTooLargeError(`${error.message}; send a body of at most ${bodyLimit} bytes.`, options);
  if (error.statusCode === 414)
    return new RequestUriTooLongError(`${error.message}; path parameters may be at most 500 characters.`, options);
  if (error.statusCode === 415)
    return new RequestMediaTypeError(`${error.message}; send the body as application/json.`, options);
  return new RequestInvalidError(error.message, options);
}

/** Fastify not-found handler. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const error = new RouteNotFoundError(
    `No route ${request.method} ${request.url.split('?')[0]}; see the API list in the README`,
  );
  void reply.code(error.status).send({ error: error.toJSON() } satisfies ErrorBody);
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers over 16 KiB, a malformed
 * request line): answered with a coded body on the raw socket, then closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return void socket.destroy();
  const overflow = error.code === 'HPE_HEADER_OVERFLOW';
  const coded = overflow
    ? new RequestHeadersTooLargeError(
        'The request headers are larger than 16 KiB; send shorter headers (a bearer token is well under 1 KiB).',
      )
    : new RequestInvalidError(
        `The request could not be parsed as HTTP (${error.code ?? 'malformed'}); send a well-formed HTTP/1.1 request.`,
      );
  const body = JSON.stringify({ error: coded.toJSON() } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${coded.status} ${overflow ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Connection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
