import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseUnits } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRailTestDatabase, type RailTestDatabase } from '../support/evmDatabase.ts';

const PROCESSES = 3;
let db: RailTestDatabase;
let workers: ChildProcess[] = [];

beforeAll(async () => {
  db = await createRailTestDatabase('mandate_limits');
  workers = await Promise.all(
    Array.from({ length: PROCESSES }, () => {
      const child = fork(join(import.meta.dirname, 'limitsWorker.ts'), [], {
        env: { ...process.env, RAIL_DB_URL: db.url },
        execArgv: ['--import', 'tsx'],
      });
      return new Promise<ChildProcess>((resolve, reject) => {
        child.once('message', () => resolve(child));
        child.once('error', reject);
      });
    }),
  );
});
afterAll(async () => {
  for (const w of workers) w.send('exit');
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
  await db?.close();
});

type Outcome = { key: string; outcome: string };
const run = (worker: ChildProcess, batch: unknown): Promise<Outcome[]> =>
  new Promise((resolve) => {
    worker.once('message', (m) => resolve(m as Outcome[]));
    worker.send(batch as never);
  });

const counterparties = [
  '0xaaaa000000000000000000000000000000000001',
  '0xaaaa000000000000000000000000000000000002',
  '0xaaaa000000000000000000000000000000000003',
];

describe('spending limits under concurrent processes', () => {
  it('limits race - payments from several processes sharing one database never exceed any limit', async () => {
    let runNo = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            agent: fc.constantFrom('a', 'b'),
            asset: fc.constantFrom('USDC', 'ETH'),
            cents: fc.integer({ min: 1, max: 40_000 }),
            counterparty: fc.constantFrom(...counterparties),
            process: fc.integer({ min: 0, max: PROCESSES - 1 }),
          }),
          { minLength: 6, maxLength: 36 },
        ),
        async (payments) => {
          runNo += 1;
          const tag = `r${runNo}-${Date.now()}`;
          const sup = `gov-${tag}`;
          const rules = [
            { scope: `agent:a-${tag}`, window: 'transaction', unit: 'native', asset: 'USDC', max: '250' },
            { scope: `agent:a-${tag}`, window: 'rolling-24h', unit: 'native', asset: 'USDC', max: '600' },
            { scope: `agent:a-${tag}`, window: 'rolling-24h', unit: 'reference', perCounterparty: true, max: '300' },
            { scope: `agent:b-${tag}`, window: 'rolling-24h', unit: 'reference', max: '500' },
            { scope: `supervisor:${sup}`, window: 'rolling-24h', unit: 'reference', max: '800' },
            { scope: `supervisor:${sup}`, window: 'rolling-24h', unit: 'native', asset: 'ETH', max: '0.2' },
          ];
          // USDC 1:1 with the reference currency; ETH at 2000 reference units per ETH.
          const requests = payments.map((p, i) => {
            const decimal = `${Math.floor(p.cents / 100)}.${String(p.cents % 100).padStart(2, '0')}`;
            const amountRef = parseUnits(decimal, 6);
            const amountNative = p.asset === 'USDC' ? amountRef : parseUnits(decimal, 18) / 2000n;
            return {
              p,
              r: {
                idempotencyKey: `${tag}-${i}`,
                agentId: `${p.agent}-${tag}`,
                supervisorIds: [sup],
                asset: p.asset,
                counterparty: p.counterparty,
                amountNative: amountNative.toString(),
                amountReference: amountRef.toString(),
              },
            };
          });
          const batches = workers.map((_, w) => ({
            rules,
            requests: requests.filter((x) => x.p.process === w).map((x) => x.r),
          }));
          const outcomes = (await Promise.all(workers.map((w, i) => run(w, batches[i])))).flat();
          expect(
            outcomes.every((o) => o.outcome === 'reserved' || o.outcome === 'MANDATE_ERR_LIMIT_EXCEEDED'),
            JSON.stringify(outcomes),
          ).toBe(true);
          const accepted = new Set(outcomes.filter((o) => o.outcome === 'reserved').map((o) => o.key));
          const ok = requests.filter((x) => accepted.has(x.r.idempotencyKey)).map((x) => x.r);
          const sum = (xs: typeof ok, f: (x: (typeof ok)[number]) => bigint): bigint =>
            xs.reduce((s, x) => s + f(x), 0n);
          const ofA = ok.filter((x) => x.agentId === `a-${tag}`);
          expect(ofA.every((x) => x.asset !== 'USDC' || BigInt(x.amountNative) <= parseUnits('250', 6))).toBe(true);
          expect(
            sum(
              ofA.filter((x) => x.asset === 'USDC'),
              (x) => BigInt(x.amountNative),
            ),
          ).toBeLessThanOrEqual(parseUnits('600', 6));
          for (const c of counterparties)
            expect(
              sum(
                ofA.filter((x) => x.counterparty === c),
                (x) => BigInt(x.amountReference),
              ),
            ).toBeLessThanOrEqual(parseUnits('300', 6));
          expect(
            sum(
              ok.filter((x) => x.agentId === `b-${tag}`),
              (x) => BigInt(x.amountReference),
            ),
          ).toBeLessThanOrEqual(parseUnits('500', 6));
          expect(sum(ok, (x) => BigInt(x.amountReference))).toBeLessThanOrEqual(parseUnits('800', 6));
          expect(
            sum(
              ok.filter((x) => x.asset === 'ETH'),
              (x) => BigInt(x.amountNative),
            ),
          ).toBeLessThanOrEqual(parseUnits('0.2', 18));
          // The database agrees with what the processes were told.
          const rows = (
            await db.pool.query<{ n: string }>(
              `SELECT count(DISTINCT idempotency_key)::text AS n FROM limit_reservations WHERE idempotency_key LIKE $1`,
              [`${tag}-%`],
            )
          ).rows;
          expect(Number(rows[0]!.n)).toBe(accepted.size);
        },
      ),
      { numRuns: Number(process.env['MANDATE_LIMITS_RUNS'] ?? 25) },
    );
  }, 180_000);
});
