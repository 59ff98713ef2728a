/**
 * The gateway factory: REST API, live stream, metrics, MCP endpoint and the
 * dashboard, all behind bearer-token RBAC.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import { ErrorCode } from '../kernel/index.ts';
import { apiOriginGuard } from './apiOriginGuard.ts';
import { authenticate } from './authenticate.ts';
import { AuthThrottle, type AuthLockout, type AuthThrottleOptions } from './AuthThrottle.ts';
import { clientErrorHandler, errorHandler, notFoundHandler } from './errorHandler.ts';
import { findUiDir } from './findUiDir.ts';
import { LiveHub } from './LiveHub.ts';
import { agentRoutes } from './routes/agentRoutes.ts';
import { alertRoutes } from './routes/alertRoutes.ts';
import { seriesRoutes } from './routes/seriesRoutes.ts';
import { approvalRoutes } from './routes/approvalRoutes.ts';
import { auditRoutes } from './routes/auditRoutes.ts';
import { healthRoutes } from './routes/healthRoutes.ts';
import { killSwitchRoutes } from './routes/killSwitchRoutes.ts';
import { LIVE_PROTOCOL, liveRoute } from './routes/liveRoute.ts';
import { mcpRoute } from './routes/mcpRoute.ts';
import { simulateRoutes } from './routes/simulateRoutes.ts';
import { registerOpenApi } from './openApi.ts';
import { paymentRoutes } from './routes/paymentRoutes.ts';
import { taskRoutes } from './routes/taskRoutes.ts';
import { tokenRoutes } from './routes/tokenRoutes.ts';
import { uiRoutes } from './routes/uiRoutes.ts';
import { x402Routes } from './routes/x402Routes.ts';
import { x402SaleRoutes } from './routes/x402SaleRoutes.ts';
import type { AuditSource, MandateRuntime, ReadinessCheck, Simulator } from './RuntimeApi.ts';
import { SnapshotCache } from './SnapshotCache.ts';
import { TokenStore, type TokenEntry } from './TokenStore.ts';
import type { McpOriginPolicy } from './mcpOriginGuard.ts';
import type { OriginPolicy } from './originPolicy.ts';
import type { X402Seller } from '../actors/index.ts';

/** Where the built dashboard lives by default: `ui/dist` at the package root, from the sources and from `dist/` alike. */
export const DEFAULT_UI_DIR = findUiDir(import.meta.url);

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  runtime: MandateRuntime;
  /** Accepted tokens (hashes and roles), e.g. from `ensureAdminToken`. */
  tokens: TokenStore | TokenEntry[];
  /** The token file `tokens` came from (`ensureAdminToken`): the admin token routes edit it; without it they answer 503. */
  tokenFile?: string;
  /** Audit source; defaults to the runtime store's audit trail (`runtime.store.audit`) when it keeps one. Without one, audit routes answer 503. */
  store?: AuditSource;
  /** A pino-compatible logger, `true` for Fastify's default, or nothing for silence. */
  logger?: FastifyBaseLogger | boolean;
  /** Extra readiness checks by name, beside the runtime's own (`database`, `transport`). */
  readiness?: Record<string, ReadinessCheck>;
  /** Directory of the built dashboard; defaults to {@link DEFAULT_UI_DIR} (`ui/dist`). */
  uiDir?: string;
  /** Injected clock for export timestamps. */
  clock?: () => number;
  /** Live-stream heartbeat period in ms (default 30 s); a client missing one ping is dropped. */
  heartbeatMs?: number;
  /** Origins and hosts the MCP endpoint accepts besides its own (DNS-rebinding protection). */
  mcp?: McpOriginPolicy;
  /** Origins and hosts `/api/*` accepts besides its own (DNS-rebinding protection; `MANDATE_ALLOWED_ORIGINS` / `MANDATE_ALLOWED_HOSTS`). */
  origins?: OriginPolicy;
  /** What-if runner behind POST /api/simulate (`mandate run` builds one from its agent system); without one it answers 503. */
  simulate?: Simulator;
  /**
   * Failed-token rate limiting per client address (default: 10 unknown tokens in a burst, then 10 a
   * minute); `false` turns it off. Lockouts are audited as `gateway.auth.throttled`, one entry per
   * lockout, at most 60 a minute.
   */
  authThrottle?: AuthThrottleOptions | false;
  /** Capabilities sold behind x402 (`GET|POST /x402/:capability`, public: the payment is the credential); without one there are no such routes. */
  x402?: X402Seller;
}

/** Sent on every response. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
} as const;

function auditSourceOf(runtime: MandateRuntime, store: AuditSource | undefined): AuditSource | undefined {
  if (store !== undefined) return store;
  const audit = runtime.store?.audit;
  return audit === undefined
    ? undefined
    : { queryAudit: (query) => audit.query(query), verifyAudit: () => audit.verify() };
}

/**
 * One audit entry per lockout, not per refused request: an attacker must not be able to flood the
 * hash-chained log. Each entry counts the 429s since the client's previous one and the entries the
 * per-minute cap left out, so every refusal is still accounted for.
 */
function lockoutAuditor(app: FastifyInstance, runtime: MandateRuntime, clock: () => number) {
  return (lockout: AuthLockout): void => {
    const seconds = Math.ceil(lockout.retryAfterMs / 1000);
    const why = `${lockout.failures} unknown bearer tokens from ${lockout.client}; refused for ${seconds} s`;
    app.log.warn({ code: ErrorCode.MANDATE_ERR_AUTH_THROTTLED, ...lockout }, why);
    const written = runtime.store?.appendAudit({
      action: 'gateway.auth.throttled',
      subject: lockout.client,
      who: { kind: 'system', id: 'gateway' },
      where: runtime.nodeId,
      why,
      data: { ...lockout },
      at: clock(),
    });
    written?.catch((error: unknown) => app.log.error({ err: error }, 'auth lockout not audited'));
  };
}

/**
 * Builds the gateway (not yet listening).
 *
 * @example
 * const { tokens, adminToken } = await ensureAdminToken('.mandate/tokens.json');
 * if (adminToken) console.log(`admin token (shown once): ${adminToken}`);
 * const app = await createGateway({ runtime, tokens, logger: true });
 * await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
 */
export async function createGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const { runtime } = options;
  const tokens = options.tokens instanceof TokenStore ? options.tokens : new TokenStore(options.tokens);
  const clock = options.clock ?? Date.now;
  const logger = options.logger;
  // Malformed URLs and over-long parameters (frameworkErrors) and what Node's parser refuses
  // (clientErrorHandler) get coded bodies too.
  const base = {
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 500 },
    frameworkErrors: errorHandler,
    clientErrorHandler,
  };
  const app =
    typeof logger === 'object'
      ? Fastify({ ...base, loggerInstance: logger })
      : Fastify({ ...base, logger: logger ?? false });

  const hub = new LiveHub(runtime);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // First: it checks that every route registered after it describes itself for /api/openapi.json.
  await registerOpenApi(app);
  // Registered before the auth hook: its onRequest hook marks upgrade requests, so a refused
  // upgrade (401/403) gets its socket destroyed instead of left hanging.
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: 4096,
      // Echo only our protocol; the bearer.<token> entry must never be reflected back.
      handleProtocols: (protocols: Set<string>) => (protocols.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false),
    },
  });
  // Before authentication: a foreign page learns nothing, not even whether its token is valid.
  app.addHook('onRequest', apiOriginGuard(options.origins));
  const throttle =
    options.authThrottle === false
      ? undefined
      : new AuthThrottle(options.authThrottle ?? {}, clock, lockoutAuditor(app, runtime, clock));
  app.addHook('onRequest', authenticate(tokens, throttle));
  // Callback style, not async: it runs on every response, and an async hook costs a promise each.
  const snapshots = new SnapshotCache(runtime);
  // eslint-disable-next-line max-params -- Fastify's onSend callback signature
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    // Before the answer leaves: a client that changed something and then reads sees its change.
    if (request.method !== 'GET' && request.method !== 'HEAD') snapshots.clear();
    done(null, payload);
  });
  const heartbeat = setInterval(() => hub.heartbeat(), options.heartbeatMs ?? 30_000);
  heartbeat.unref();
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    hub.close();
    snapshots.close();
  });

  healthRoutes(app, { runtime, hub, checks: options.readiness ?? {} });
  agentRoutes(app, runtime, snapshots);
  approvalRoutes(app, runtime);
  alertRoutes(app, runtime);
  seriesRoutes(app, runtime);
  killSwitchRoutes(app, runtime);
  auditRoutes(app, auditSourceOf(runtime, options.store), clock);
  taskRoutes(app, runtime);
  simulateRoutes(app, options.simulate);
  tokenRoutes(app, runtime, { path: options.tokenFile, tokens, clock });
  paymentRoutes(app, runtime);
  liveRoute(app, hub);
  mcpRoute(app, runtime, options.mcp);
  if (options.x402 !== undefined) {
    x402Routes(app, runtime, options.x402);
    x402SaleRoutes(app, options.x402);
  }
  await uiRoutes(app, options.uiDir ?? DEFAULT_UI_DIR);
  return app;
}
