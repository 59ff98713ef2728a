/**
 * The pure parts of DNS-rebinding protection, shared by the MCP endpoint's guard and the `/api/*`
 * guard: which `Host` a request may name and which `Origin` a browser request may come from.
 */

/** Which origins and hosts a guarded endpoint accepts besides its own. */
export interface OriginPolicy {
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

/**
 * Whether a request with `Host: hostHeader` that arrived on `localAddress` may be answered: a
 * listed host, or (with no list) any host unless the request arrived on loopback, where only a
 * loopback name is accepted — a rebound name (`evil.example` → 127.0.0.1) is not.
 */
export function hostAllowed(hostHeader: string, localAddress: string | undefined, policy: OriginPolicy): boolean {
  const host = hostName(hostHeader);
  const hosts = policy.allowedHosts?.map((h) => h.toLowerCase());
  if (hosts !== undefined) return hosts.includes(host);
  return !isLoopbackAddress(localAddress) || LOOPBACK_HOSTS.has(host);
}

/** Whether a browser's `Origin` is the gateway's own (`http(s)://<Host>`) or listed; `null` and unparsable origins are not. */
export function originAllowed(origin: string, hostHeader: string, policy: OriginPolicy): boolean {
  const normalized = normalizeOrigin(origin);
  if (normalized === null) return false;
  const own = [`http://${hostHeader}`, `https://${hostHeader}`].map((o) => normalizeOrigin(o));
  return own.includes(normalized) || (policy.allowedOrigins ?? []).some((o) => normalizeOrigin(o) === normalized);
}
