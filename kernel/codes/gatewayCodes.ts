import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the HTTP gateway and the `mandate` command. Documented in docs/errors.md, "Gateway and command line (gateway, cli)". */
export const GATEWAY_CODES = {
  MANDATE_ERR_AUTH_MISSING: {
    status: 401,
    kind: 'error',
    meaning:
      'the route needs `Authorization: Bearer <token>` (or the `bearer.<token>` WebSocket subprotocol) and none was sent',
  },
  MANDATE_ERR_AUTH_INVALID: { status: 401, kind: 'error', meaning: 'the bearer token matches no stored token hash' },
  MANDATE_ERR_AUTH_THROTTLED: {
    status: 429,
    kind: 'error',
    meaning:
      'this client address sent too many unknown bearer tokens (10 in a burst, then 10 a minute by default); every authenticated request from it is refused without looking at its token until the `Retry-After` seconds have passed; other addresses are not affected',
  },
  MANDATE_ERR_AUTH_THROTTLE_CONFIG: {
    status: null,
    kind: 'error',
    meaning:
      '`createGateway({ authThrottle })` has a setting that is not a positive number (`burst`, `refillPerMinute`, `maxClients`, `auditPerMinute`)',
  },
  MANDATE_ERR_AUTH_FORBIDDEN: {
    status: 403,
    kind: 'error',
    meaning: "the token's role (admin, operator, observer) may not do this; nothing was changed",
  },
  MANDATE_ERR_REQUEST_INVALID: {
    status: 400,
    kind: 'error',
    meaning: 'params, query or body failed validation (the details list each field), or the JSON body is broken',
  },
  MANDATE_ERR_REQUEST_TOO_LARGE: {
    status: 413,
    kind: 'error',
    meaning: 'the request body is larger than the gateway accepts (64 KiB)',
  },
  MANDATE_ERR_REQUEST_URI_TOO_LONG: {
    status: 414,
    kind: 'error',
    meaning: 'a path parameter is longer than the gateway accepts (500 characters)',
  },
  MANDATE_ERR_REQUEST_HEADERS_TOO_LARGE: {
    status: 431,
    kind: 'error',
    meaning: "the request's headers are larger than the server accepts (16 KiB in all); the connection is closed",
  },
  MANDATE_ERR_REQUEST_MEDIA_TYPE: {
    status: 415,
    kind: 'error',
    meaning: "the request body's `Content-Type` is not one the route accepts; send `application/json`",
  },
  MANDATE_ERR_ROUTE_NOT_FOUND: { status: 404, kind: 'error', meaning: 'no route for that method and path' },
  MANDATE_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    kind: 'error',
    meaning: 'the route exists for another method (the MCP endpoint takes POST only)',
  },
  MANDATE_ERR_ORIGIN_REFUSED: {
    status: 403,
    kind: 'error',
    meaning:
      "a browser request to `/api/*` came from an `Origin` that is not the gateway's own nor listed in `MANDATE_ALLOWED_ORIGINS`, or arrived on loopback naming a `Host` that is not loopback nor listed in `MANDATE_ALLOWED_HOSTS` (DNS-rebinding protection); nothing was run",
  },
  MANDATE_ERR_AUDIT_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning: 'the gateway runs without a store that can query the audit log',
  },
  MANDATE_ERR_SERIES_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      "the gateway's runtime keeps no stored metric series (no store, `metrics: false` or `metricSeries: false`); the monitor then charts only what it sampled since it opened",
  },
  MANDATE_ERR_SIMULATION_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      'the gateway runs without a what-if simulator (only `mandate run` wires one, from the agent system it runs), or one is already running',
  },
  MANDATE_ERR_NOT_READY: {
    status: 503,
    kind: 'error',
    meaning: 'a readiness check (database, transport) failed; `/ready` lists which',
  },
  MANDATE_ERR_TOKEN_FILE: {
    status: 500,
    kind: 'error',
    meaning:
      'the token file is unreadable, not JSON, malformed, or could not be written (a token change is then audited as `<action>.failed`); fix it, or its directory’s permissions, or move it away to issue a new admin token',
  },
  MANDATE_ERR_TOKEN_NAME_TAKEN: {
    status: 409,
    kind: 'error',
    meaning: 'a token with that name exists; pick another name or revoke that token first',
  },
  MANDATE_ERR_TOKEN_UNKNOWN: {
    status: 404,
    kind: 'error',
    meaning: 'no token with that name; `mandate token list` or `GET /api/tokens` shows the names',
  },
  MANDATE_ERR_TOKEN_LAST_ADMIN: {
    status: 409,
    kind: 'error',
    meaning: 'the last admin token cannot be revoked; create another admin token first',
  },
  MANDATE_ERR_TOKENS_UNMANAGED: {
    status: 503,
    kind: 'error',
    meaning:
      'the gateway was started without a token file (`createGateway({ tokenFile })`), so it cannot manage tokens',
  },
  MANDATE_ERR_UI_NOT_BUILT: {
    status: 503,
    kind: 'error',
    meaning: 'the dashboard is not built; run `npm run build:ui`',
  },
  MANDATE_ERR_GATEWAY_INTERNAL: {
    status: 500,
    kind: 'error',
    meaning: 'an unexpected failure; logged with the request id, no internals returned',
  },
  MANDATE_ERR_USAGE: {
    status: 400,
    kind: 'error',
    meaning:
      'the `mandate` command line, or a setting it reads from the environment (`PORT`, `MANDATE_VERIFY_THREADS`, `MANDATE_REVOCATION_AUTHORITIES`), could not be understood',
  },
  MANDATE_ERR_GATEWAY_UNREACHABLE: {
    status: null,
    kind: 'error',
    meaning:
      "a command that drives a running node (`mandate agents …`) could not reach its gateway at `--url` / `MANDATE_URL`, or got an answer that is not the gateway's",
  },
} as const satisfies Record<string, CodeEntry>;
