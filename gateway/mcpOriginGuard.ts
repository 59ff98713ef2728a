/**
 * DNS-rebinding protection of the MCP endpoint (the Streamable HTTP transport's "servers MUST
 * validate the Origin header"): a browser page on another site can make a victim's browser post to
 * a gateway on loopback, so a request carrying a foreign `Origin`, or a `Host` the gateway does not
 * answer to, is refused with 403 before anything runs. Clients that are not browsers send no
 * `Origin` and are unaffected.
 */
import type { FastifyRequest } from 'fastify';
import { McpOriginRefusedError } from './errors.ts';

/** Which origins and hosts the MCP endpoint accepts besides its own. */
export interface McpOriginPolicy {
  /** Extra origins allowed to call the endpoint from a browser, e.g. `https://console.example.com`. */
  readonly allowedOrigins?: readonly string[];
  /**
   * Host names (without port) the endpoint answers to. Default: any, except that a request that
   * arrived on a loopback address must name a loopback host (`localhost`, `127.0.0.1`, `[::1]`).
   */
  readonly allowedHosts?: readonly string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1');
}

/** The host name of a `Host` header, without its port (`[::1]:8080` → `[::1]`). */
function hostName(host: string): string {
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host.trim().toLowerCase());
  return m === null ? host.trim().toLowerCase() : m[1]!;
}

function normalizeOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

/** Throws `McpOriginRefusedError` when the request's `Host` or `Origin` is not allowed by `policy`. */
export function checkMcpOrigin(request: FastifyRequest, policy: McpOriginPolicy): void {
  const hostHeader = request.headers.host;
  if (hostHeader === undefined || hostHeader === '')
    throw new McpOriginRefusedError('The MCP endpoint needs a Host header.', { details: { host: null } });
  const host = hostName(hostHeader);
  const hosts = policy.allowedHosts?.map((h) => h.toLowerCase());
  const hostAllowed =
    hosts !== undefined
      ? hosts.includes(host)
      : !isLoopbackAddress(request.socket.localAddress) || LOOPBACK_HOSTS.has(host);
  if (!hostAllowed)
    throw new McpOriginRefusedError(
      `The MCP endpoint does not answer to Host "${hostHeader}"; list it in MANDATE_MCP_ALLOWED_HOSTS if it is yours.`,
      { details: { host: hostHeader } },
    );
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const normalized = normalizeOrigin(origin);
  const own = [`http://${hostHeader}`, `https://${hostHeader}`].map((o) => normalizeOrigin(o));
  const allowed = (policy.allowedOrigins ?? []).map((o) => normalizeOrigin(o));
  if (normalized !== null && (own.includes(normalized) || allowed.includes(normalized))) return;
  throw new McpOriginRefusedError(
    `The MCP endpoint refuses requests from Origin "${origin}" (DNS-rebinding protection); list it in MANDATE_MCP_ALLOWED_ORIGINS if that page may call it.`,
    { details: { origin } },
  );
}
