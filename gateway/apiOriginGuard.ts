/**
 * DNS-rebinding and cross-site protection of the REST API and the live stream (`/api/*`), as a
 * Fastify onRequest hook that runs before authentication. A page on another site can make a
 * victim's browser call a gateway it can reach (on loopback, or inside the victim's network), and
 * a rebound name can make that call look same-site; so a request whose `Origin` is neither the
 * gateway's own nor listed, or that arrived on loopback naming a `Host` that is not loopback nor
 * listed, is refused with 403 `MANDATE_ERR_ORIGIN_REFUSED` before anything runs. Same-origin
 * pages (the dashboard) and clients that are not browsers (no `Origin`: the CLI, curl, agents) are
 * unaffected.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OriginRefusedError } from './errors.ts';
import { OriginChecker, type OriginPolicy } from './originPolicy.ts';

/** Throws `OriginRefusedError` when a request to `/api/*` names a `Host` or comes from an `Origin` that `check`'s policy refuses. */
function checkApiOrigin(request: FastifyRequest, check: OriginChecker): void {
  const hostHeader = request.headers.host ?? '';
  if (hostHeader !== '' && !check.hostAllowed(hostHeader, request.socket.localAddress))
    throw new OriginRefusedError(
      `The gateway does not answer to Host "${hostHeader}" on a loopback address (DNS-rebinding protection); list it in MANDATE_ALLOWED_HOSTS if it is yours.`,
      { details: { host: hostHeader } },
    );
  const origin = request.headers.origin;
  if (origin === undefined || (hostHeader !== '' && check.originAllowed(origin, hostHeader))) return;
  throw new OriginRefusedError(
    `The gateway's API refuses browser requests from Origin "${origin}" (only its own pages may call it); list that origin in MANDATE_ALLOWED_ORIGINS if it may.`,
    { details: { origin } },
  );
}

/**
 * The onRequest hook guarding `/api/*`. Callback style, not async: it runs on every request.
 *
 * @example
 * app.addHook('onRequest', apiOriginGuard({ allowedOrigins: ['https://console.example.com'] }));
 */
export function apiOriginGuard(policy: OriginPolicy = {}) {
  const check = new OriginChecker(policy);
  return function onRequest(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
    if (!request.url.startsWith('/api/')) {
      done();
      return;
    }
    try {
      checkApiOrigin(request, check);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
}
