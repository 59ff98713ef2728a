/**
 * Bearer-token authentication and role checks, as a Fastify onRequest hook.
 *
 * Runs before the body is parsed, so a caller without the right role learns
 * nothing about validation and costs nothing to refuse. Browsers cannot set
 * headers on a WebSocket, so the live stream also accepts the token as a
 * `bearer.<token>` subprotocol.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../runtime/index.ts';
import type { AuthThrottle } from './AuthThrottle.ts';
import { AuthInvalidError, AuthMissingError, AuthThrottledError, ForbiddenError } from './errors.ts';
import { can, type Permission } from './roles.ts';
import type { TokenIdentity, TokenStore } from './TokenStore.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The token's identity; set on every authenticated route. */
    identity?: TokenIdentity;
  }
  interface FastifyContextConfig {
    /** What the route does; absent means public (health, readiness, dashboard files). */
    permission?: Permission;
  }
}

/** Subprotocol prefix that carries a token on WebSocket upgrades. */
export const WS_TOKEN_PROTOCOL_PREFIX = 'bearer.';

/** The token a request presents, or undefined. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? '';
  }
  const protocols = request.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const trimmed = p.trim();
      if (trimmed.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) return trimmed.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
    }
  }
  return undefined;
}

/** Checks the token and role of a request to a route that declares a permission; throws the coded refusal. */
function check(
  { tokens, throttle }: { tokens: TokenStore; throttle: AuthThrottle | undefined },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const permission = request.routeOptions.config.permission;
  if (permission === undefined) return;
  // Before the token is looked at: a locked-out guesser learns nothing, not even from a right guess.
  const waitMs = throttle?.admit(request.ip) ?? 0;
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    reply.header('retry-after', String(seconds));
    throw new AuthThrottledError(
      `Too many unknown bearer tokens from ${request.ip}; retry after ${seconds} s with a valid token`,
      { details: { retryAfterSeconds: seconds } },
    );
  }
  const token = presentedToken(request);
  if (token === undefined) throw new AuthMissingError();
  const identity = token === '' ? undefined : tokens.verify(token);
  if (identity === undefined) {
    throttle?.failed(request.ip);
    throw new AuthInvalidError();
  }
  request.identity = identity;
  if (!can(identity.role, permission)) {
    throw new ForbiddenError(
      `Role "${identity.role}" may not ${permission} (${request.method} ${request.routeOptions.url ?? request.url}); ask an admin for a token with that right`,
      {
        details: { role: identity.role, permission },
      },
    );
  }
}

/**
 * The onRequest hook: authenticates routes that declare a permission and checks the role, refusing
 * clients the throttle has locked out (429). Callback style, not async: it runs on every request,
 * and an async hook costs a promise and a microtask each.
 */
export function authenticate(tokens: TokenStore, throttle?: AuthThrottle) {
  const deps = { tokens, throttle };
  return function onRequest(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    try {
      check(deps, request, reply);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
}

/** The audit principal for an authenticated request. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.identity === undefined) throw new AuthMissingError();
  return { kind: 'human', id: request.identity.name };
}
