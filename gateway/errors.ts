/**
 * The gateway's errors. Each carries a stable code (docs/errors.md, "Gateway")
 * and the HTTP status the gateway answers with.
 */
import { MandateError } from '../kernel/index.ts';

type Options = ErrorOptions & { details?: Record<string, unknown> };

/** A request carried no bearer token. */
export class AuthMissingError extends MandateError {
  constructor(
    message = 'This route needs a bearer token; send "Authorization: Bearer <token>"',
    options: Options = {},
  ) {
    super('MANDATE_ERR_AUTH_MISSING', message, { ...options, status: 401 });
    this.name = 'AuthMissingError';
  }
}

/** A request carried a token the gateway does not know. */
export class AuthInvalidError extends MandateError {
  constructor(
    message = 'The bearer token is not valid; ask an admin for a token or check for a typo',
    options: Options = {},
  ) {
    super('MANDATE_ERR_AUTH_INVALID', message, { ...options, status: 401 });
    this.name = 'AuthInvalidError';
  }
}

/** The token is valid but its role may not do this. */
export class ForbiddenError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_AUTH_FORBIDDEN', message, { ...options, status: 403 });
    this.name = 'ForbiddenError';
  }
}

/** A request's params, query or body failed validation. */
export class RequestInvalidError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_REQUEST_INVALID', message, { ...options, status: 400 });
    this.name = 'RequestInvalidError';
  }
}

/** No route matches the method and path. */
export class RouteNotFoundError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_ROUTE_NOT_FOUND', message, { ...options, status: 404 });
    this.name = 'RouteNotFoundError';
  }
}

/** The audit log cannot be queried: the gateway runs without a store that has `queryAudit`. */
export class AuditUnavailableError extends MandateError {
  constructor(
    message = 'The audit log is not available: start the runtime with a persistent store (set DATABASE_URL to a PostgreSQL URL, or leave it unset for the embedded database)',
    options: Options = {},
  ) {
    super('MANDATE_ERR_AUDIT_UNAVAILABLE', message, { ...options, status: 503 });
    this.name = 'AuditUnavailableError';
  }
}

/** A readiness check (database, transport) failed. */
export class NotReadyError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_NOT_READY', message, { ...options, status: 503 });
    this.name = 'NotReadyError';
  }
}

/** The token file is unreadable or malformed. */
export class TokenFileError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_TOKEN_FILE', message, { ...options, status: 500 });
    this.name = 'TokenFileError';
  }
}

/** The dashboard has not been built, so the gateway cannot serve it. */
export class UiNotBuiltError extends MandateError {
  constructor(
    message = 'The dashboard is not built; run "npm run build:ui" and restart the gateway',
    options: Options = {},
  ) {
    super('MANDATE_ERR_UI_NOT_BUILT', message, { ...options, status: 503 });
    this.name = 'UiNotBuiltError';
  }
}

/** The gateway failed in a way it did not expect; details are logged, not returned. */
export class GatewayInternalError extends MandateError {
  constructor(
    message = 'The gateway failed unexpectedly; the failure is logged with its request id',
    options: Options = {},
  ) {
    super('MANDATE_ERR_GATEWAY_INTERNAL', message, { ...options, status: 500 });
    this.name = 'GatewayInternalError';
  }
}

/** An agent or approval id names nothing the runtime knows. */
export class ResourceNotFoundError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_RESOURCE_NOT_FOUND', message, { ...options, status: 404 });
    this.name = 'ResourceNotFoundError';
  }
}

/** The route exists but not for this method. */
export class MethodNotAllowedError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_METHOD_NOT_ALLOWED', message, { ...options, status: 405 });
    this.name = 'MethodNotAllowedError';
  }
}
