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

/**
 * {@link hostAllowed} and {@link originAllowed} for one fixed policy, each answer remembered: the
 * dashboard sends the same `Host` and `Origin` on every request, and parsing them (three URLs per
 * request) is most of a guard's cost. The answers are the uncached functions' own, so nothing is
 * weakened; at most `maxEntries` of each are kept (a client sending new values on every request
 * only empties the memo, and each of its requests costs what an uncached one does).
 *
 * @example
 * const check = new OriginChecker({ allowedOrigins: ['https://console.example.com'] });
 * if (!check.hostAllowed(host, socket.localAddress) || !check.originAllowed(origin, host)) refuse();
 */
export class OriginChecker {
  readonly #policy: OriginPolicy;
  readonly #maxEntries: number;
  readonly #hosts = new Map<string, boolean>();
  readonly #origins = new Map<string, boolean>();

  constructor(policy: OriginPolicy = {}, maxEntries = 256) {
    this.#policy = policy;
    this.#maxEntries = maxEntries;
  }

  /** {@link hostAllowed} under this checker's policy. */
  hostAllowed(hostHeader: string, localAddress: string | undefined): boolean {
    // The answer depends on the address only through whether it is loopback. A newline cannot be
    // part of a header value, so the key is unambiguous.
    const key = `${isLoopbackAddress(localAddress) ? 'l' : 'r'}\n${hostHeader}`;
    return this.#remember(this.#hosts, key, () => hostAllowed(hostHeader, localAddress, this.#policy));
  }

  /** {@link originAllowed} under this checker's policy. */
  originAllowed(origin: string, hostHeader: string): boolean {
    return this.#remember(this.#origins, `${origin}\n${hostHeader}`, () =>
      originAllowed(origin, hostHeader, this.#policy),
    );
  }

  #remember(memo: Map<string, boolean>, key: string, compute: () => boolean): boolean {
    const known = memo.get(key);
    if (known !== undefined) return known;
    const answer = compute();
    if (memo.size >= this.#maxEntries) memo.clear();
    memo.set(key, answer);
    return answer;
  }
}
