/**
 * Persistence benchmark: `npm run bench -- persistence` (or `npx tsx bench/persistence.bench.ts`)
 *
 * Audited decision records committed per second through the store (a decision upsert plus its
 * hash-chained audit entry, the witness on, each caller's promise resolving only after its commit —
 * group commit) against raw node-postgres single-row INSERT transactions per second (BEGIN; INSERT;
 * COMMIT) of the same decision row, with the same number of concurrent writers, on the same
 * machine, in one run — on PostgreSQL (TEST_POSTGRES_URL / DATABASE_URL / 127.0.0.1:5432) and on the
 * embedded PGlite driver. Paired rounds alternate which side runs first; before each sample the
 * heap is collected (with --expose-gc, as bench/run.ts starts it) and the database CHECKPOINTs, so
 * neither side pays for the other's dirty pages. Prints each round's ratio and the medians (target >= 1.2).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { EmbeddedPostgres, openStore, type DecisionRecord } from '../runtime/persistence/index.ts';
import { createTestDatabase } from '../test/support/db.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 3000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 32);

const decision = (i: number): DecisionRecord => ({
  id: `bench-${i}`,
  agentId: `agent-${i % 16}`,
  cycle: i,
  trigger: { kind: 'interval', every: '10s' },
  facts: { 'usdc.balance': '120000.50', 'eur.usd': 1.0831, due: true },
  rulesFired: ['pay-invoice'],
  rationale: 'invoice due and within budget',
  confidence: 0.93,
  model: null,
  action: { type: 'payment.send', amount: { value: '250.00', asset: 'USDC' }, counterparty: 'subj_x' },
  verdict: { status: 'approved', by: 'governance', reason: 'within limits' },
  outcome: { status: 'succeeded', durationMs: 420, fees: { value: '0.12', asset: 'USDC' }, slippageBps: 2 },
  createdAt: 1_790_000_000_000 + i,
  updatedAt: 1_790_000_000_000 + i,
});

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function workers(total: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = next++; i < total; i = next++) await one(i);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/** One side of a pair: warmed up once, then sampled; `checkpoint` flushes its database's dirty pages. */
interface Side {
  sample: () => Promise<number>;
  checkpoint: () => Promise<unknown>;
  close: () => Promise<void>;
}

async function rawSide(url: string): Promise<Side> {
  const pool = new pg.Pool({ connectionString: url, max: WRITERS });
  await pool.query(
    'create table if not exists bench_raw_decision (id text primary key, agent_id text, cycle int, trigger jsonb, facts jsonb, rules_fired jsonb, rationale text, confidence double precision, model text, action jsonb, verdict jsonb, outcome jsonb, created_at bigint, updated_at bigint)',
  );
  const insert = async (i: number): Promise<void> => {
    const d = decision(i);
    const c = await pool.connect();
    try {
      await c.query('begin');
      await c.query(
        'insert into bench_raw_decision values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)',
        [
          `${d.id}-${Math.random()}`,
          d.agentId,
          d.cycle,
          JSON.stringify(d.trigger),
          JSON.stringify(d.facts),
          JSON.stringify(d.rulesFired),
          d.rationale,
          d.confidence,
          d.model,
          JSON.stringify(d.action),
          JSON.stringify(d.verdict),
          JSON.stringify(d.outcome),
          d.createdAt,
          d.updatedAt,
        ],
      );
      await c.query('commit');
    } finally {
      c.release();
    }
  };
  await workers(200, insert); // warm-up
  return {
    sample: () => workers(RECORDS, insert),
    checkpoint: () => pool.query('checkpoint'),
    close: () => pool.end(),
  };
}

async function storeSide(options: Parameters<typeof openStore>[0]): Promise<Side> {
  const store = await openStore({ ...options, env: {} });
  // A superuser session on the store's database, for CHECKPOINT only (the store runs none).
  const admin = new pg.Client({ connectionString: store.databaseUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  let n = 0;
  const record = async (i: number): Promise<void> => {
    const d = { ...decision(i), id: `d-${n++}` };
    await Promise.all([
      store.saveDecision(d),
      store.appendAudit({
        who: { kind: 'agent', id: 'did:key:z6MkBench' },
        action: 'agent.decide.done',
        subject: d.agentId,
        where: 'bench',
        why: d.rationale,
        data: { decisionId: d.id, currency: 'USDC', status: 'approved' },
        at: d.createdAt,
      }),
    ]);
  };
  await workers(200, record); // warm-up
  return {
    sample: () => workers(RECORDS, record),
    checkpoint: () => admin.query('checkpoint'),
    async close() {
      const verified = await store.audit.verify();
      if (!verified.ok) throw new Error(`audit chain broken after the bench: ${JSON.stringify(verified.breaks[0])}`);
      await admin.end();
      await store.close();
    },
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Paired rounds, alternating which side goes first; returns the median rates and ratio. */
async function pairs(driver: string, raw: Side, store: Side): Promise<string[]> {
  const rates = { raw: [] as number[], store: [] as number[], ratio: [] as number[] };
  const sample = async (side: Side): Promise<number> => {
    globalThis.gc?.();
    await side.checkpoint();
    return side.sample();
  };
  for (let round = 1; round <= ROUNDS; round++) {
    let r: number;
    let s: number;
    if (round % 2 === 1) [r, s] = [await sample(raw), await sample(store)];
    else [s, r] = [await sample(store), await sample(raw)];
    rates.raw.push(r);
    rates.store.push(s);
    rates.ratio.push(s / r);
    console.log(
      `  ${driver} round ${round}/${ROUNDS} (${round % 2 === 1 ? 'raw first' : 'store first'}): raw ${r.toFixed(0)}/s, store ${s.toFixed(0)}/s, ratio ${(s / r).toFixed(2)}`,
    );
  }
  return [driver, median(rates.raw).toFixed(0), median(rates.store).toFixed(0), median(rates.ratio).toFixed(2)];
}

const dir = mkdtempSync(join(tmpdir(), 'mandate-bench-'));
const rows: string[][] = [];
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = load();
try {
  {
    await using db = await createTestDatabase();
    const raw = await rawSide(db.url);
    const store = await storeSide({ databaseUrl: db.url, dataDir: join(dir, 'pg-store'), keyFile: join(dir, 'key') });
    try {
      rows.push(await pairs('PostgreSQL', raw, store));
    } finally {
      await raw.close();
      await store.close();
    }
  }
  {
    const embedded = await EmbeddedPostgres.start({ dataDir: join(dir, 'raw-data'), maxConnections: WRITERS + 2 });
    const raw = await rawSide(embedded.url);
    const store = await storeSide({ dataDir: join(dir, 'store-data'), keyFile: join(dir, 'key') });
    try {
      rows.push(await pairs('embedded PGlite', raw, store));
    } finally {
      await raw.close();
      await store.close();
      await embedded.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `persistence: ${RECORDS} records, ${WRITERS} concurrent writers, ${ROUNDS} paired rounds (medians), load average ${loadBefore} -> ${load()}`,
);
console.log(['driver', 'raw pg single-row INSERT tx/s', 'store audited decisions/s', 'ratio'].join(' | '));
for (const r of rows) console.log(r.join(' | '));
