/**
 * DNS-rebinding protection of the MCP endpoint (the Streamable HTTP transport's "servers MUST
 * validate the Origin header"): a browser page on another site can make a victim's browser post to
 * a gateway on loopback, so a request carrying a foreign `Origin`, or a `Host` the gateway does not
 * answer to, is refused with 403 before anything runs. Clients that are not browsers send no
 * `Origin` and are unaffected.
 */
import type { FastifyRequest } from 'fastify';
import { McpOriginRefusedError } from './errors.ts';
import { hostAllowed, originAllowed, type OriginPolicy } from './originPolicy.ts';

/** Which origins and hosts the MCP endpoint accepts besides its own. */
export type McpOriginPolicy = OriginPolicy;

/** Throws `McpOriginRefusedError` when the request's `Host` or `Origin` is not allowed by `policy`. */
export function checkMcpOrigin(request: FastifyRequest, policy: McpOriginPolicy): void {
  const hostHeader = request.headers.host;
  if (hostHeader === undefined || hostHeader === '')
    throw new McpOriginRefusedError('The MCP endpoint needs a Host header.', { details: { host: null } });
  if (!hostAllowed(hostHeader, request.socket.localAddress, policy))
    throw new McpOriginRefusedError(
      `The MCP endpoint does not answer to Host "${hostHeader}"; list it in MANDATE_MCP_ALLOWED_HOSTS if it is yours.`,
      { details: { host: hostHeader } },
    );
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (originAllowed(origin, hostHeader, policy)) return;
  throw new McpOriginRefusedError(
    `The MCP endpoint refuses requests from Origin "${origin}" (DNS-rebinding protection); list it in MANDATE_MCP_ALLOWED_ORIGINS if that page may call it.`,
    { details: { origin } },
  );
}
