/**
 * The durability gate for live money: before a live runtime pays, every place its state lives
 * must survive a crash of the machine, not only of the process.
 *
 * - PostgreSQL (a server, or the embedded PGlite): `fsync` and `synchronous_commit` must be on
 *   (`remote_write`/`remote_apply` count as on; `local` too on a single node).
 * - NATS JetStream (when the runtime uses NATS): every stream must use file storage, and the
 *   server must sync every write (`jetstream { sync_interval: always }`, nats-server ≥ 2.10),
 *   read from its monitoring endpoint (`NATS_MONITOR_URL`, e.g. `http://127.0.0.1:8222`); without
 *   it the sync policy cannot be checked and counts as weak (the server default fsyncs every 2 min).
 * - The embedded chain fsyncs its block log before acknowledging a transaction; a chain at
 *   `EVM_RPC_URL` is the node operator's to keep durable and is reported, not checked.
 */
import pg from 'pg';

/** One component's verdict. */
export interface DurabilityFinding {
  readonly component: 'postgresql' | 'jetstream' | 'chain';
  readonly durable: boolean;
  /** What was found, and how to fix it when it is weak. */
  readonly detail: string;
}

/** What to check. */
export interface DurabilityTargets {
  readonly databaseUrl?: string;
  /** Stream names and storage types of the JetStream streams the runtime uses. */
  readonly jetstream?: { readonly streams: readonly { name: string; storage: string }[]; readonly monitorUrl?: string };
  readonly chain?: { readonly kind: 'embedded' | 'rpc'; readonly description: string };
  readonly fetch?: typeof fetch;
}

const SYNC_ON = new Set(['on', 'remote_write', 'remote_apply', 'local']);

/** Checks every target and returns one finding per component. */
export async function checkDurability(targets: DurabilityTargets): Promise<DurabilityFinding[]> {
  const findings: DurabilityFinding[] = [];
  if (targets.databaseUrl !== undefined) findings.push(await checkPostgres(targets.databaseUrl));
  if (targets.jetstream !== undefined) findings.push(await checkJetStream(targets.jetstream, targets.fetch ?? fetch));
  if (targets.chain !== undefined)
    findings.push({
      component: 'chain',
      durable: true,
      detail:
        targets.chain.kind === 'embedded'
          ? 'embedded chain: every block is appended to blocks.jsonl and fsynced before its transaction is acknowledged'
          : `${targets.chain.description}: durability is the node operator's (not checked from here)`,
    });
  return findings;
}

async function checkPostgres(url: string): Promise<DurabilityFinding> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const fsync = String((await client.query<{ fsync: string }>('show fsync')).rows[0]?.fsync);
    const sync = String(
      (await client.query<{ synchronous_commit: string }>('show synchronous_commit')).rows[0]?.synchronous_commit,
    );
    const weak: string[] = [];
    if (fsync !== 'on') weak.push(`fsync = ${fsync} (set fsync = on)`);
    if (!SYNC_ON.has(sync)) weak.push(`synchronous_commit = ${sync} (set synchronous_commit = on)`);
    return weak.length === 0
      ? { component: 'postgresql', durable: true, detail: `fsync = ${fsync}, synchronous_commit = ${sync}` }
      : {
          component: 'postgresql',
          durable: false,
          detail: `${weak.join('; ')}: a committed payment intent could be lost on a power failure`,
        };
  } finally {
    await client.end();
  }
}

async function checkJetStream(
  js: NonNullable<DurabilityTargets['jetstream']>,
  fetchFn: typeof fetch,
): Promise<DurabilityFinding> {
  const memory = js.streams.filter((s) => s.storage !== 'file');
  if (memory.length > 0)
    return {
      component: 'jetstream',
      durable: false,
      detail: `stream(s) ${memory.map((s) => `${s.name} (${s.storage})`).join(', ')} are not file-backed: recreate them with file storage`,
    };
  const files = `streams ${js.streams.map((s) => s.name).join(', ') || '(none yet)'} use file storage`;
  if (js.monitorUrl === undefined)
    return {
      component: 'jetstream',
      durable: false,
      detail: `${files}, but how the server syncs them is unknown: set NATS_MONITOR_URL to its monitoring endpoint so the gate can read jetstream.config (the default fsyncs every 2 minutes)`,
    };
  const varz = (await (await fetchFn(new URL('/varz', js.monitorUrl))).json()) as {
    jetstream?: { config?: { sync_interval?: number; sync_always?: boolean } };
  };
  const config = varz.jetstream?.config;
  if (config?.sync_always === true)
    return { component: 'jetstream', durable: true, detail: `${files}, sync_interval = always` };
  const every = config?.sync_interval === undefined ? 'the 2 minute default' : `${config.sync_interval / 1e9} s`;
  return {
    component: 'jetstream',
    durable: false,
    detail: `${files}, fsynced every ${every}: a power failure can lose acknowledged messages; set jetstream { sync_interval: always } in the server config`,
  };
}
