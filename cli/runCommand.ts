import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GovernancePolicy } from '../actors/index.ts';
import { createGateway, ensureAdminToken, watchTokenFile } from '../gateway/index.ts';
import { openStore } from '../runtime/index.ts';
import { codeOf, ErrorCode, type MandateError } from '../kernel/index.ts';
import {
  alertSinksFromEnv,
  createRuntime,
  type ChainConnection,
  type MandateRuntime,
  type RuntimeOptions,
} from '../runtime/index.ts';
import { placementFromEnv } from './placementEnv.ts';
import { originPolicyOf, revocationAuthoritiesOf } from './runEnv.ts';
import { parseArgs } from './args.ts';
import { chainBanner } from './chainBanner.ts';
import { createSimulator } from './createSimulator.ts';
import { UsageError } from './errors.ts';
import { durabilityGate, openLiveChain } from './liveSetup.ts';
import { onParentExit } from './onParentExit.ts';
import { openCaches, type SystemCaches } from './openCaches.ts';
import { tokenFilePath } from './tokenCommand.ts';
import { logFormatOf, runOutput } from './runOutput.ts';
import { systemEntry } from './systemEntry.ts';

/** How long a stop may take (drain, snapshots, final checkpoint, closing) before the process exits anyway: `docker stop` sends SIGKILL after 10 s. */
const STOP_DEADLINE_MS = 9_000;

/** What an example directory's index.ts exports. */
interface ExampleModule {
  /** Runtime options the system needs before its runtime exists (its KYB check, the pairs pricing its positions); optional. */
  systemOptions?(context: { clock?: { now(): number } }): Promise<Pick<RuntimeOptions, 'kyb' | 'positionPrices'>>;
  setup(
    runtime: MandateRuntime,
    context: { chain?: ChainConnection; dataDir?: string; caches?: SystemCaches },
  ): Promise<{ capabilities: ReadonlyMap<string, string>; close?(): Promise<void> }>;
}

function duration(text: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (m === null) throw new UsageError(`"--duration ${text}" is not a duration; use e.g. 30s, 5m or 2h.`);
  return Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

/**
 * `mandate run [dir]`: starts a runtime on the configured store (PostgreSQL
 * with DATABASE_URL, else the embedded database), loads the agent system in
 * `dir`, serves the gateway and dashboard, and prints the agents' cycles.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, {
    live: 'boolean',
    duration: 'string',
    quiet: 'boolean',
    port: 'string',
    'no-gateway': 'boolean',
    'data-dir': 'string',
    'accept-weak-durability': 'boolean',
    'log-format': 'string',
  });
  const format = logFormatOf(flags.get('log-format') as string | undefined);
  const dir = resolve(positional[0] ?? 'examples/treasury');
  const entry = systemEntry(dir);
  const live = flags.get('live') === true;
  const quiet = flags.get('quiet') === true;
  const portFlag = flags.get('port');
  const port = Number(portFlag ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(
      `${portFlag === undefined ? `PORT="${process.env.PORT}"` : `"--port ${String(portFlag)}"`} is not a port number; give a whole number from 0 to 65535.`,
    );
  const dataDir = (flags.get('data-dir') as string | undefined) ?? process.env.MANDATE_DATA_DIR ?? '.mandate/data';
  const verifyThreadsText = process.env.MANDATE_VERIFY_THREADS;
  const verifyThreads = verifyThreadsText === undefined ? undefined : Number(verifyThreadsText);
  if (verifyThreads !== undefined && (!Number.isInteger(verifyThreads) || verifyThreads < 0 || verifyThreads > 64)) {
    throw new UsageError(
      `MANDATE_VERIFY_THREADS="${verifyThreadsText}" is not a whole number of threads from 0 to 64; set one (0 verifies signatures on the main thread) or unset it for one fewer than the CPUs.`,
    );
  }

  // REDIS_URL is checked before anything opens: a wrong one is a coded error, not a failure mid-payment.
  const cache = await openCaches(process.env);
  const alertsYaml = await readFile(join(dir, 'alerts.yaml'), 'utf8').catch(() => undefined);
  const sinks = alertSinksFromEnv(process.env, alertsYaml, join(dir, 'alerts.yaml'));
  const otlp =
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.replace(/\/v1\/traces\/?$/, '') ??
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const governanceText = await readFile(join(dir, 'governance.yaml'), 'utf8').catch(() => '{}');
  const governance = GovernancePolicy.fromYaml(governanceText, () => undefined, join(dir, 'governance.yaml')).config;
  // Problems the store handled without failing (a retry, a corrupt snapshot left out) become alerts once the runtime exists.
  const early: MandateError[] = [];
  let report = (e: MandateError): void => void early.push(e);
  const store = await openStore({ dataDir, onProblem: (e) => report(e) });
  const where = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded database in ${dataDir}`;
  // The node's messaging identity, beside the data directory (a stable did), its key sealed with the data key.
  const nodeIdentity = await store.nodeIdentity(join(dataDir, '..', 'node-identity.json'));
  const nodeId = process.env.MANDATE_NODE_ID ?? `node-${nodeIdentity.did.slice(-8)}`;
  const out = runOutput({ format, quiet, node: nodeId });
  const natsUrl = process.env.NATS_URL;
  const placement = placementFromEnv(process.env);
  const placementReplicas = placement?.replicas;
  const revocationAuthorities = revocationAuthoritiesOf(process.env.MANDATE_REVOCATION_AUTHORITIES);
  const mcpPolicy = originPolicyOf(process.env, 'MANDATE_MCP_');
  const apiPolicy = originPolicyOf(process.env, 'MANDATE_');
  const messaging =
    natsUrl === undefined
      ? { dataDir, nodeIdentity, revocationAuthorities }
      : {
          natsUrl,
          dataDir,
          nodeIdentity,
          revocationAuthorities,
          ...(verifyThreads === undefined ? {} : { verifyThreads }),
          ...(placementReplicas === undefined ? {} : { registryReplicas: placementReplicas }),
        };
  let chain: ChainConnection | undefined;
  let durability = '';
  if (live) {
    const rpc = process.env.EVM_RPC_URL;
    const findings = await durabilityGate({
      store,
      natsUrl,
      chain: rpc
        ? { kind: 'rpc', description: `EVM_RPC_URL ${rpc}` }
        : { kind: 'embedded', description: 'embedded chain' },
      acceptWeak: flags.get('accept-weak-durability') === true,
    });
    durability = findings
      .map((f) => `${f.component} ${f.durable ? 'durable' : 'WEAK (accepted)'}: ${f.detail}`)
      .join('\nmandate:   ');
    chain = await openLiveChain({ dir, dataDir, store });
  }
  const example = (await import(entry)) as ExampleModule;
  const systemOptions = (await example.systemOptions?.({})) ?? {};
  const runtime = await createRuntime({
    ...systemOptions,
    mode: live ? 'live' : 'dry-run',
    store,
    governance,
    nodeId,
    messaging,
    alerting: { sinks },
    ...(process.env.MANDATE_REGION ? { region: process.env.MANDATE_REGION } : {}),
    ...(otlp ? { tracing: { endpoint: otlp, serviceName: process.env.OTEL_SERVICE_NAME ?? 'mandate' } } : {}),
    ...(out.logger === undefined ? {} : { logger: out.logger }),
    ...(placement === undefined ? {} : { placement }),
    ...(chain === undefined ? {} : { chain }),
  });
  runtime.subscribe((e) => out.event(e));
  report = (e) => runtime.alert({ severity: 'warning', code: e.code, message: `store: ${e.message}` });
  for (const e of early) report(e);
  cache.onProblem((message) =>
    runtime.alert({ severity: 'warning', code: ErrorCode.MANDATE_ERR_REDIS_UNAVAILABLE, message }),
  );
  // Journal and snapshot history are compacted by the retention policy: at start, then hourly.
  const compact = () =>
    void store.compact().catch((e: Error) =>
      runtime.alert({
        severity: 'warning',
        code: codeOf(e, ErrorCode.MANDATE_ERR_STORE),
        message: `retention compaction failed: ${e.message}`,
      }),
    );
  compact();
  const compaction = setInterval(compact, 3_600_000);
  compaction.unref();
  const context = { ...(chain === undefined ? {} : { chain }), dataDir, caches: cache.caches };
  const system = await example.setup(runtime, context);
  const bus = natsUrl === undefined ? 'in-process signed bus' : `NATS ${natsUrl}`;
  const sinkNames = sinks.map((s) => `${s.name} (${s.minSeverity}+)`).join(', ') || 'none (kept and shown only)';
  const hosted =
    placement === undefined
      ? `${runtime.listAgents().length} agents`
      : 'placement on (this node runs the agents whose lease it holds, GET /api/cluster)';
  out.banner(
    'runtime.started',
    `mandate: ${hosted} on node ${runtime.nodeId}, ${live ? 'LIVE' : 'dry-run (external effects are recorded, not sent; --live to send)'}, state in ${where}, messaging on ${bus}, alert sinks: ${sinkNames}, traces ${otlp ? `to OTLP ${otlp}` : 'off (OTEL_EXPORTER_OTLP_ENDPOINT)'}, caches: ${cache.description}`,
    {
      agents: runtime.listAgents().length,
      placement: placement !== undefined,
      mode: live ? 'live' : 'dry-run',
      store: where,
      messaging: bus,
      alertSinks: sinks.map((s) => s.name),
      redis: cache.redis ?? null,
    },
  );
  if (chain !== undefined) out.banner('chain.opened', chainBanner(chain, durability), { chainId: chain.chainId });

  let close = async (): Promise<void> => {};
  if (flags.get('no-gateway') !== true) {
    const tokenFile = tokenFilePath(dataDir);
    const { tokens, adminToken } = await ensureAdminToken(tokenFile);
    // `mandate token create|revoke` edits the file; the running gateway follows it.
    const unwatch = watchTokenFile(tokenFile, tokens, {
      onProblem: (e) => runtime.alert({ severity: 'warning', code: e.code, message: e.message }),
    });
    const logger = out.logger?.child({ component: 'gateway' }, { level: 'warn' });
    const simulate = await createSimulator(dir); // POST /api/simulate: dry-run copies of this system
    const app = await createGateway({
      runtime,
      tokens,
      mcp: mcpPolicy,
      origins: apiPolicy,
      simulate,
      tokenFile,
      ...(logger === undefined ? {} : { logger }),
    });
    // Loopback unless told otherwise (HOST=0.0.0.0 inside a container).
    const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port });
    out.banner('gateway.listening', `mandate: dashboard and API on ${address}`, { address });
    if (adminToken) out.banner('gateway.admin-token', `mandate: admin token (shown once, keep it): ${adminToken}`);
    close = async () => {
      unwatch();
      await app.close();
    };
  }

  const stop = async (): Promise<void> => {
    clearInterval(compaction);
    await close();
    await runtime.shutdown();
    await system.close?.();
    await cache.close();
    await chain?.close();
  };
  const ms = flags.has('duration') ? duration(String(flags.get('duration'))) : undefined;
  await new Promise<void>((done) => {
    let stopping = false;
    const finish = (why: string): void => {
      if (stopping) {
        out.failure(new Error(`mandate: ${why} while stopping: exiting now, without waiting for the drain`));
        process.exit(130);
      }
      stopping = true;
      out.banner('runtime.stopping', `mandate: ${why}: stopping (a second signal exits at once)`, { why });
      const deadline = setTimeout(() => {
        out.failure(new Error(`mandate: not stopped within ${STOP_DEADLINE_MS / 1000} s: exiting`));
        process.exit(1);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      void stop().then(
        () => {
          out.banner(
            'runtime.stopped',
            'mandate: stopped cleanly: audit checkpoint signed, messaging and database closed',
          );
          done();
        },
        (e: unknown) => (out.failure(e), done()),
      );
    };
    // The launcher's terminal or pipe may be gone by the time the last lines are written.
    process.stdout.on('error', () => undefined);
    process.stderr.on('error', () => undefined);
    process.on('SIGINT', () => finish('SIGINT'));
    process.on('SIGTERM', () => finish('SIGTERM'));
    onParentExit(() => finish('the launcher exited'));
    if (ms !== undefined) setTimeout(() => finish(`${String(flags.get('duration'))} elapsed`), ms);
  });
  return 0;
}
