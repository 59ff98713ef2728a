/**
 * The multi-process placement harness (used by test/placement/cluster.test.ts and
 * bench/failover.ts): a three-server NATS cluster with JetStream, one PostgreSQL database, and
 * runtime nodes as child processes (nodeChild.ts) sharing a fenced file bank.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { NatsCluster } from '../../support/natsCluster.ts';

const CHILD = join(import.meta.dirname, 'nodeChild.ts');

/** One node process as the parent sees it through its output. */
export interface NodeProcess {
  id: string;
  child: ChildProcess;
  hosted: string[];
  /** Last state of each agent it reported. */
  states: Map<string, string>;
  stopped: boolean;
  exited: boolean;
  err: string;
}

/** What one cluster run owns: its NATS cluster, its database, its working directory, and its options. */
interface ClusterParts {
  nats: NatsCluster;
  db: TestDatabase;
  dir: string;
  options: ClusterRunOptions;
}

/** Options of {@link ClusterRun.start}. */
export interface ClusterRunOptions {
  nodes: number;
  agents: number;
  ttlMs: number;
  /** The node program (default nodeChild.ts: payer agents on the file bank). */
  child?: string;
  /** NATS servers: 3 (default) clustered with routes, or 1 on its own. */
  natsServers?: 1 | 3;
  /** More environment for every node. */
  env?: Record<string, string>;
}

export class ClusterRun {
  readonly nats: NatsCluster;
  readonly db: TestDatabase;
  readonly dir: string;
  readonly ledger: string;
  readonly nodes: NodeProcess[] = [];
  readonly options: ClusterRunOptions;

  private constructor({ nats, db, dir, options }: ClusterParts) {
    this.nats = nats;
    this.db = db;
    this.dir = dir;
    this.ledger = join(dir, 'ledger.txt');
    this.options = options;
  }

  static async start(options: ClusterRunOptions): Promise<ClusterRun> {
    const run = new ClusterRun({
      nats: options.natsServers === 1 ? await NatsCluster.single() : await NatsCluster.start(3),
      db: await createTestDatabase(),
      dir: mkdtempSync(join(tmpdir(), 'mandate-cluster-')),
      options,
    });
    // One node first: it migrates the schema and creates the R3 buckets; the others join after.
    await run.startNode(0);
    await Promise.all(Array.from({ length: options.nodes - 1 }, (_, i) => run.startNode(i + 1)));
    return run;
  }

  env(id: string): Record<string, string> {
    return {
      DATABASE_URL: this.db.url,
      NATS_URLS: this.nats.urls.join(','),
      MANDATE_NODE_ID: id,
      MANDATE_DATA_DIR: join(this.dir, id),
      MANDATE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      CLUSTER_LEDGER: this.ledger,
      CLUSTER_AGENTS: String(this.options.agents),
      CLUSTER_TTL_MS: String(this.options.ttlMs),
      CLUSTER_REPLICAS: String(this.nats.servers.length),
      ...this.options.env,
    };
  }

  /** Starts (or restarts) node `i` and resolves once it printed `ready`. */
  startNode(i: number): Promise<NodeProcess> {
    const id = `node-${i}`;
    const child = spawn(
      process.execPath,
      ['--conditions=mandate-source', '--import', 'tsx', this.options.child ?? CHILD],
      {
        env: { ...process.env, ...this.env(id) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const node: NodeProcess = { id, child, hosted: [], states: new Map(), stopped: false, exited: false, err: '' };
    this.nodes[i] = node;
    let buffered = '';
    return new Promise((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          if (line === 'ready') resolve(node);
          else if (line.startsWith('hosted ')) node.hosted = line.slice(7).split(',').filter(Boolean);
          else if (line.startsWith('t ')) {
            const [, agent, state] = line.split(' ');
            node.states.set(agent!, state!);
          }
        }
      });
      child.stderr.on('data', (d: Buffer) => (node.err = (node.err + d.toString()).slice(-4000)));
      child.once('exit', (code, signal) => {
        node.exited = true;
        if (signal === null && code !== 0) reject(new Error(`${id} exited with ${code}: ${node.err}`));
      });
    });
  }

  /** Nodes that are running and not paused. */
  live(): NodeProcess[] {
    return this.nodes.filter((n) => !n.exited && !n.stopped);
  }

  /** Where each agent runs, by the live nodes' reports; an agent on two nodes is listed twice. */
  placements(): Array<[string, string]> {
    return this.live().flatMap((n) => n.hosted.map((a) => [a, n.id] as [string, string]));
  }

  /** Whether every agent is hosted by exactly one live node. */
  placedOnce(): boolean {
    const agents = this.placements().map(([a]) => a);
    return agents.length === this.options.agents && new Set(agents).size === agents.length;
  }

  kill(node: NodeProcess, signal: NodeJS.Signals): Promise<void> {
    return new Promise((resolve) => {
      node.child.once('exit', () => resolve());
      node.child.kill(signal);
    });
  }

  /** Drains every node (SIGTERM) and waits for them to exit. */
  async stopNodes(): Promise<void> {
    await Promise.all(
      this.nodes
        .filter((n) => !n.exited)
        .map(async (n) => {
          if (n.stopped) n.child.kill('SIGCONT');
          await this.kill(n, 'SIGTERM');
        }),
    );
  }

  /** Stops the nodes, NATS and drops the database. */
  async close(): Promise<void> {
    await this.stopNodes();
    await this.nats[Symbol.asyncDispose]();
    await this.db[Symbol.asyncDispose]();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` every 20 ms until it holds; resolves the time it took, or rejects after `ms` naming `what`. */
export async function within(what: string, ms: number, check: () => boolean): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}

/** The p-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * One failover round: waits until some node is in the act phase of a payment, SIGKILLs it, and
 * resolves how long (ms) until every agent runs exactly once on the survivors; then restarts it.
 */
export async function killRound(run: ClusterRun, boundMs: number): Promise<number> {
  await within('every agent placed once before the kill', 60_000, () => run.placedOnce());
  let victim: NodeProcess | undefined;
  await within('a node mid-payment', 30_000, () => {
    victim = run.live().find((n) => n.hosted.some((a) => n.states.get(a) === 'act'));
    return victim !== undefined;
  });
  const v = victim!;
  const index = run.nodes.indexOf(v);
  await run.kill(v, 'SIGKILL');
  const took = await within(`the agents of ${v.id} run elsewhere`, boundMs, () => run.placedOnce());
  await run.startNode(index);
  return took;
}
