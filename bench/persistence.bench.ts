/**
 * Persistence benchmark: `npx tsx bench/persistence.bench.ts`
 *
 * Audited decision records committed per second through the store (a decision upsert plus its
 * hash-chained audit entry, each caller's promise resolving only after its commit — group commit)
 * against raw node-postgres single-row INSERT transactions per second (BEGIN; INSERT; COMMIT) of
 * the same decision row, with the same number of concurrent writers, on the same machine, in one
 * run — on PostgreSQL (TEST_POSTGRES_URL / DATABASE_URL / 127.0.0.1:5432) and on the embedded
 * PGlite driver. Prints the ratios (target >= 1.0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
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

async function raw(url: string): Promise<number> {
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
  const rate = await workers(RECORDS, insert);
  await pool.end();
  return rate;
}

async function viaStore(options: Parameters<typeof openStore>[0]): Promise<number> {
  const store = await openStore({ ...options, env: {} });
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
  await workers(200, record);
  const rate = await workers(RECORDS, record);
  const verified = await store.audit.verify();
  if (!verified.ok) throw new Error(`audit chain broken after the bench: ${JSON.stringify(verified.breaks[0])}`);
  await store.close();
  return rate;
}

const dir = mkdtempSync(join(tmpdir(), 'mandate-bench-'));
const rows: string[][] = [];
try {
  {
    await using db = await createTestDatabase();
    const rawRate = await raw(db.url);
    const storeRate = await viaStore({
      databaseUrl: db.url,
      dataDir: join(dir, 'pg-store'),
      keyFile: join(dir, 'key'),
    });
    rows.push(['PostgreSQL', rawRate.toFixed(0), storeRate.toFixed(0), (storeRate / rawRate).toFixed(2)]);
  }
  {
    const embedded = await EmbeddedPostgres.start({ dataDir: join(dir, 'raw-data'), maxConnections: WRITERS + 2 });
    const rawRate = await raw(embedded.url);
    await embedded.stop();
    const storeRate = await viaStore({ dataDir: join(dir, 'store-data'), keyFile: join(dir, 'key') });
    rows.push(['embedded PGlite', rawRate.toFixed(0), storeRate.toFixed(0), (storeRate / rawRate).toFixed(2)]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`persistence: ${RECORDS} records, ${WRITERS} concurrent writers`);
console.log(['driver', 'raw pg single-row INSERT tx/s', 'store audited decisions/s', 'ratio'].join(' | '));
for (const r of rows) console.log(r.join(' | '));
