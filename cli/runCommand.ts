import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { GovernancePolicy } from '../actors/index.ts';
import { createGateway, ensureAdminToken } from '../gateway/index.ts';
import { openStore } from '../runtime/index.ts';
import { codeOf, ErrorCode, type MandateError } from '../kernel/index.ts';
import {
  AgentIdentity,
  createRuntime,
  type ChainConnection,
  type IdentityJson,
  type MandateRuntime,
} from '../runtime/index.ts';
import { parseArgs } from './args.ts';
import { chainBanner } from './chainBanner.ts';
import { UsageError } from './errors.ts';
import { durabilityGate, openLiveChain } from './liveSetup.ts';
import { formatEvent } from './printEvent.ts';
import { systemEntry } from './systemEntry.ts';

/** What an example directory's index.ts exports. */
interface ExampleModule {
  setup(
    runtime: MandateRuntime,
    context: { chain?: ChainConnection; dataDir?: string },
  ): Promise<{ capabilities: ReadonlyMap<string, string>; close?(): Promise<void> }>;
}

/** The node's messaging identity, kept beside the data directory so its did is stable across restarts. */
async function loadNodeIdentity(path: string): Promise<AgentIdentity> {
  try {
    return AgentIdentity.fromJSON(JSON.parse(await readFile(path, 'utf8')) as IdentityJson);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const identity = AgentIdentity.generate();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(identity.toJSON()), { mode: 0o600 });
    return identity;
  }
}

/** `MANDATE_REVOCATION_AUTHORITIES`: comma-separated did:keys whose signed revocations are honoured for any agent. */
function revocationAuthoritiesOf(text: string | undefined): string[] {
  const dids = (text ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  for (const did of dids)
    if (!/^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(did))
      throw new UsageError(
        `MANDATE_REVOCATION_AUTHORITIES holds "${did}", which is not a did:key; list Ed25519 did:keys separated by commas.`,
      );
  return dids;
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
  });
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

  const governanceText = await readFile(join(dir, 'governance.yaml'), 'utf8').catch(() => '{}');
  const governance = GovernancePolicy.fromYaml(governanceText, () => undefined, join(dir, 'governance.yaml')).config;
  // Problems the store handled without failing (a retry, a corrupt snapshot left out) become alerts once the runtime exists.
  const early: MandateError[] = [];
  let report = (e: MandateError): void => void early.push(e);
  const store = await openStore({ dataDir, onProblem: (e) => report(e) });
  const where = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded database in ${dataDir}`;
  const nodeIdentity = await loadNodeIdentity(join(dataDir, '..', 'node-identity.json'));
  const nodeId = process.env.MANDATE_NODE_ID ?? `node-${nodeIdentity.did.slice(-8)}`;
  const natsUrl = process.env.NATS_URL;
  const revocationAuthorities = revocationAuthoritiesOf(process.env.MANDATE_REVOCATION_AUTHORITIES);
  const messaging =
    natsUrl === undefined
      ? { dataDir, nodeIdentity, revocationAuthorities }
      : {
          natsUrl,
          dataDir,
          nodeIdentity,
          revocationAuthorities,
          ...(verifyThreads === undefined ? {} : { verifyThreads }),
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
  const runtime = await createRuntime({
    mode: live ? 'live' : 'dry-run',
    store,
    governance,
    nodeId,
    messaging,
    ...(chain === undefined ? {} : { chain }),
  });
  runtime.subscribe((e) => {
    const line = formatEvent(e, quiet);
    if (line !== undefined) console.log(line);
  });
  report = (e) => runtime.alert('warning', e.code, `store: ${e.message}`);
  for (const e of early) report(e);
  // Journal and snapshot history are compacted by the retention policy: at start, then hourly.
  const compact = () =>
    void store
      .compact()
      .catch((e: Error) =>
        runtime.alert('warning', codeOf(e, ErrorCode.MANDATE_ERR_STORE), `retention compaction failed: ${e.message}`),
      );
  compact();
  const compaction = setInterval(compact, 3_600_000);
  compaction.unref();
  const example = (await import(entry)) as ExampleModule;
  const system = await example.setup(runtime, { ...(chain === undefined ? {} : { chain }), dataDir });
  const bus = natsUrl === undefined ? 'in-process signed bus' : `NATS ${natsUrl}`;
  console.log(
    `mandate: ${runtime.listAgents().length} agents on node ${runtime.nodeId}, ${live ? 'LIVE' : 'dry-run (external effects are recorded, not sent; --live to send)'}, state in ${where}, messaging on ${bus}`,
  );
  if (chain !== undefined) console.log(chainBanner(chain, durability));

  let close = async (): Promise<void> => {};
  if (flags.get('no-gateway') !== true) {
    const { tokens, adminToken } = await ensureAdminToken(join(dataDir, '..', 'tokens.json'));
    const app = await createGateway({ runtime, tokens });
    // Loopback unless told otherwise (HOST=0.0.0.0 inside a container).
    const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port });
    console.log(
      `mandate: dashboard and API on ${address}${adminToken ? `\nmandate: admin token (shown once, keep it): ${adminToken}` : ''}`,
    );
    close = async () => void (await app.close());
  }

  const stop = async (): Promise<void> => {
    clearInterval(compaction);
    await close();
    await runtime.shutdown();
    await system.close?.();
    await chain?.close();
  };
  const ms = flags.has('duration') ? duration(String(flags.get('duration'))) : undefined;
  await new Promise<void>((done) => {
    const finish = () => void stop().then(done, (e: unknown) => (console.error(e), done()));
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (ms !== undefined) setTimeout(finish, ms);
  });
  return 0;
}
