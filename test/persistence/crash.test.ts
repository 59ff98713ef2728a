import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgres, openStore } from '../../runtime/persistence/index.ts';
import { STORE_DRIVERS, createTestDatabase, type TestDatabase } from '../support/db.ts';

const CHILD = join(import.meta.dirname, 'crash', 'crashChild.ts');
const AGENTS = 3;
const CYCLES = 8;

/** A seeded PRNG (mulberry32): kill points differ per round but the run is reproducible from the seed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs the child and SIGKILLs it at a point measured in progress, not wall-clock time: after it has
 * printed `killAtTransition` agent transitions (counted from "ready"), plus `jitterMs` so the kill can
 * also land between two transitions, e.g. in the middle of an act. Never killed when undefined. A
 * progress-based kill point bounds the work each round can do on any machine, fast or slow, so the
 * test always gets its kills in before the agents finish.
 */
function runChild(
  env: Record<string, string>,
  kill: { killAtTransition: number; jitterMs: number } | undefined,
): Promise<{ out: string; signal: string | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = kill !== undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!armed || kill === undefined) return;
      const ready = out.indexOf('ready\n');
      if (ready < 0) return;
      const transitions = out.slice(ready).match(/^t \S+ \S+$/gm)?.length ?? 0;
      if (transitions < kill.killAtTransition) return;
      armed = false;
      const t = setTimeout(() => child.kill('SIGKILL'), kill.jitterMs);
      child.once('exit', () => clearTimeout(t));
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`crash child exited with ${code}: ${err.slice(-3000)}`));
      else resolve({ out, signal, code });
    });
  });
}

describe.each(STORE_DRIVERS)('crash and resume on %s', (driver) => {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-crash-'));
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'crash - a runtime SIGKILLed at many points resumes every agent; no decision lost, no act executed twice',
    { timeout: 600_000 },
    async () => {
      if (driver === 'postgresql') database = await createTestDatabase();
      const ledger = join(dir, 'ledger.txt');
      const env: Record<string, string> = {
        CRASH_LEDGER: ledger,
        CRASH_AGENTS: String(AGENTS),
        CRASH_CYCLES: String(CYCLES),
        MANDATE_DATA_DIR: join(dir, 'data'),
        MANDATE_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
        DATABASE_URL: database?.url ?? '',
      };
      const random = prng(driver === 'postgresql' ? 0xc0ffee : 0xbadcafe);
      let kills = 0;
      const killedIn: string[] = [];
      // 3 agents x 8 cycles is ~150 transitions; at most 36 per round leaves room for at least 5 kills on
      // any machine. Ten killed rounds, then one run to the end.
      for (let round = 0; round < 10; round++) {
        const result = await runChild(env, {
          killAtTransition: 1 + Math.floor(random() * 36),
          jitterMs: Math.floor(random() * 20),
        });
        if (result.signal === 'SIGKILL') {
          kills++;
          // The phase each agent was last seen entering when the process died.
          const last = new Map<string, string>();
          for (const m of result.out.matchAll(/^t (\S+) (\S+)$/gm)) last.set(m[1]!, m[2]!);
          killedIn.push([...last.values()].join('/') || 'startup');
        }
        if (result.out.includes('done')) break;
      }
      const final = await runChild(env, undefined);
      expect(final.out).toMatch(
        new RegExp(`done ${Array.from({ length: AGENTS }, (_, i) => `payer-${i}:${CYCLES}`).join(' ')}`),
      );
      expect(kills).toBeGreaterThanOrEqual(5);

      // The external world: every effect made exactly once.
      const lines = existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : [];
      const keys = lines.map((l) => l.split(' ')[0]!);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBeGreaterThanOrEqual(AGENTS * CYCLES);
      console.log(
        `crash (${driver}): ${kills} SIGKILLs, agents' phases at each kill: ${killedIn.join(', ')}; ${keys.length} effects, none repeated`,
      );

      // The store: read it back as its own process would after yet another restart.
      const embedded =
        driver === 'embedded' ? await EmbeddedPostgres.start({ dataDir: env.MANDATE_DATA_DIR! }) : undefined;
      const db = new pg.Client({ connectionString: embedded?.url ?? database!.url });
      await db.connect();
      try {
        const intents = (await db.query('select key, status, decision_id from mandate_intent')).rows as {
          key: string;
          status: string;
          decision_id: string;
        }[];
        // Every effect has its write-ahead intent, settled as succeeded; no intent claims an effect that did not happen.
        expect(intents.filter((i) => i.status !== 'succeeded')).toEqual([]);
        expect(intents.map((i) => i.key).sort()).toEqual([...keys].sort());
        // Every decision that was acted on is recorded, with its outcome.
        const decisions = (
          await db.query('select id, outcome_status from mandate_decision where id = any($1)', [
            intents.map((i) => i.decision_id),
          ])
        ).rows;
        expect(decisions).toHaveLength(intents.length);
        expect(decisions.filter((d) => d.outcome_status !== 'succeeded')).toEqual([]);
        // Every agent is registered once and resumed with the same identity.
        const registered = (
          await db.query(`select count(*)::int as n, count(distinct did)::int as dids from mandate_agent`)
        ).rows[0];
        expect(registered).toEqual({ n: AGENTS, dids: AGENTS });
        const reconciled = (
          await db.query(`select count(*)::int as n from mandate_intent where receipt->>'reconciled' = 'true'`)
        ).rows[0].n;
        console.log(
          `crash (${driver}): ${reconciled} effects in flight at a kill were settled by reconciliation, not re-sent`,
        );
      } finally {
        await db.end();
        await embedded?.stop();
      }
      const store = await openStore({ env: { ...env, DATABASE_URL: database?.url ?? '' } });
      try {
        expect(await store.audit.verify()).toMatchObject({ ok: true });
        expect((await store.loadSnapshots()).map((s) => s.agentId).sort()).toEqual(
          Array.from({ length: AGENTS }, (_, i) => `payer-${i}`),
        );
      } finally {
        await store.close();
      }
    },
  );
});
