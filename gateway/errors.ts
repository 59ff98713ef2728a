/**
 * The gateway's errors. Each carries a stable code (docs/errors.md, "Gateway and command line")
 * and the HTTP status the code table gives it, which is what the gateway answers with.
 */
import { createError } from '../kernel/index.ts';

/** A request carried no bearer token. */
export class AuthMissingError extends createError(
  'MANDATE_ERR_AUTH_MISSING',
  'AuthMissingError',
  'This route needs a bearer token; send "Authorization: Bearer <token>"',
) {}

/** A request carried a token the gateway does not know. */
export class AuthInvalidError extends createError(
  'MANDATE_ERR_AUTH_INVALID',
  'AuthInvalidError',
  'The bearer token is not valid; ask an admin for a token or check for a typo',
) {}

/** A client address sent too many unknown tokens and is locked out for a while (`Retry-After`). */
export class AuthThrottledError extends createError('MANDATE_ERR_AUTH_THROTTLED', 'AuthThrottledError') {}

/** `createGateway({ authThrottle })` has a setting that is not a positive number. */
export class AuthThrottleConfigError extends createError(
  'MANDATE_ERR_AUTH_THROTTLE_CONFIG',
  'AuthThrottleConfigError',
) {}

/** The token is valid but its role may not do this. */
export class ForbiddenError extends createError('MANDATE_ERR_AUTH_FORBIDDEN', 'ForbiddenError') {}

/** A request's params, query or body failed validation, or its JSON body is broken. */
export class RequestInvalidError extends createError('MANDATE_ERR_REQUEST_INVALID', 'RequestInvalidError') {}

/** A request body is larger than the gateway's body limit. */
export class RequestTooLargeError extends createError('MANDATE_ERR_REQUEST_TOO_LARGE', 'RequestTooLargeError') {}

/** Node's HTTP parser refused the request's headers as too large (answered on the raw socket). */
export class RequestHeadersTooLargeError extends createError(
  'MANDATE_ERR_REQUEST_HEADERS_TOO_LARGE',
  'RequestHeadersTooLargeError',
) {}

/** A path parameter is longer than the router's `maxParamLength`. */
export class RequestUriTooLongError extends createError('MANDATE_ERR_REQUEST_URI_TOO_LONG', 'RequestUriTooLongError') {}

/** A request body has a content type the route does not parse. */
export class RequestMediaTypeError extends createError('MANDATE_ERR_REQUEST_MEDIA_TYPE', 'RequestMediaTypeError') {}

/** No route matches the method and path. */
export class RouteNotFoundError extends createError('MANDATE_ERR_ROUTE_NOT_FOUND', 'RouteNotFoundError') {}

/** The audit log cannot be queried: the gateway runs without a store that has `queryAudit`. */
export class AuditUnavailableError extends createError(
  'MANDATE_ERR_AUDIT_UNAVAILABLE',
  'AuditUnavailableError',
  'The audit log is not available: start the runtime with a persistent store (set DATABASE_URL to a PostgreSQL URL, or leave it unset for the embedded database)',
) {}

/** GET /api/metrics/series on a runtime that keeps no stored series. */
export class SeriesUnavailableError extends createError(
  'MANDATE_ERR_SERIES_UNAVAILABLE',
  'SeriesUnavailableError',
  'The stored metric series are not available: start the runtime with a persistent store (set DATABASE_URL, or leave it unset for the embedded database) and metrics on',
) {}

/** POST /api/simulate without a simulator, or while another simulation runs. */
export class SimulationUnavailableError extends createError(
  'MANDATE_ERR_SIMULATION_UNAVAILABLE',
  'SimulationUnavailableError',
) {}

/** A readiness check (database, transport) failed. */
export class NotReadyError extends createError('MANDATE_ERR_NOT_READY', 'NotReadyError') {}

/** The token file is unreadable or malformed. */
export class TokenFileError extends createError('MANDATE_ERR_TOKEN_FILE', 'TokenFileError') {}

/** A token with that name exists already. */
export class TokenNameTakenError extends createError('MANDATE_ERR_TOKEN_NAME_TAKEN', 'TokenNameTakenError') {}

/** No token has that name. */
export class TokenUnknownError extends createError('MANDATE_ERR_TOKEN_UNKNOWN', 'TokenUnknownError') {}

/** Revoking this token would leave no admin token. */
export class TokenLastAdminError extends createError('MANDATE_ERR_TOKEN_LAST_ADMIN', 'TokenLastAdminError') {}

/** The gateway has no token file to manage tokens in. */
export class TokensUnmanagedError extends createError(
  'MANDATE_ERR_TOKENS_UNMANAGED',
  'TokensUnmanagedError',
  'This gateway was started without a token file, so it cannot manage tokens; use `mandate token` beside the runtime that owns the file',
) {}

/** The dashboard has not been built, so the gateway cannot serve it. */
export class UiNotBuiltError extends createError(
  'MANDATE_ERR_UI_NOT_BUILT',
  'UiNotBuiltError',
  'The dashboard is not built; run "npm run build:ui" and restart the gateway',
) {}

/** The gateway failed in a way it did not expect; details are logged, not returned. */
export class GatewayInternalError extends createError(
  'MANDATE_ERR_GATEWAY_INTERNAL',
  'GatewayInternalError',
  'The gateway failed unexpectedly; the failure is logged with its request id: retry, and report the id if it keeps failing',
) {}

/** The route exists but not for this method. */
export class MethodNotAllowedError extends createError('MANDATE_ERR_METHOD_NOT_ALLOWED', 'MethodNotAllowedError') {}

/** An MCP request from a foreign `Origin` or for a foreign `Host` (DNS-rebinding protection). */
export class McpOriginRefusedError extends createError('MANDATE_ERR_MCP_ORIGIN_REFUSED', 'McpOriginRefusedError') {}

/** A browser request to `/api/*` from a foreign `Origin`, or naming a foreign `Host` on loopback (DNS-rebinding protection). */
export class OriginRefusedError extends createError('MANDATE_ERR_ORIGIN_REFUSED', 'OriginRefusedError') {}
