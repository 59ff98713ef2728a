import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf, servicesOf } from '../support/agentOf.ts';
import { openTestStore, STORE_DRIVERS, type TestStore } from '../support/db.ts';

// Issue 10, session 23's list of what was left: a major violation changed the reputation score and
// then slashed the stake in a separate transaction, so a crash (or a failed write) between the two
// left the score slashed and the stake not. The second write is made to fail here, by a trigger on
// the stake table; the store must then hold neither slash, and both once the trigger is gone.
// Session 25: the audit entries of a slash (`reputation.changed`, `stake.slashed`) were written by the
// audit chain's writer after the slash's transaction; a failing audit write (a trigger on the audit
// table) must now take the slash with it, and once it works the store holds a slash, its stake entry
// and both audit entries for every slash.

const plugins = new PluginRegistry().perceiver('market.gas', () => ({ gas: 80 }));
const yaml = `id: watcher
capabilities: [alerts.raise]
stake: { amount: "1000", asset: USDC }
perceive: [market.gas]
code: ./strategy.js
`;
// Reads process.env in the sandbox: a major compliance violation, a slash each run.
const strategy = `export function decide() { return { action: null, confidence: 1, rationale: process.env.HOME, rulesFired: [] }; }`;
const alice = { kind: 'human' as const, id: 'alice' };

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(STORE_DRIVERS)('issue 10 - stake slash lost between two writes (%s)', (driver) => {
  let t: TestStore | undefined;
  let runtime: MandateRuntime | undefined;
  afterAll(async () => {
    await runtime?.shutdown().catch(() => undefined);
    await t?.[Symbol.asyncDispose]();
  });

  async function start(store: TestStore): Promise<{ runtime: MandateRuntime; clock: SimulatedClock }> {
    const clock = new SimulatedClock();
    const r = (runtime = await createRuntime({ store: store.store, clock }));
    await r.spawn(await parseAgentYaml({ text: yaml, source: 'w.yaml', plugins, readRelative: async () => strategy }));
    return { runtime: r, clock };
  }

  /** Triggers one cycle and waits until its violation slashed the score in memory. */
  async function violate(r: MandateRuntime, clock: SimulatedClock): Promise<void> {
    // Read in memory: polling the store's history while the agent writes trips the embedded server's
    // multiplexed connections ("bind message supplies 2 parameters…"), a defect of its own.
    const penalty = () => servicesOf(r).reputation.dimensions('watcher').penalty;
    const before = penalty();
    await until('the agent to take a trigger', () => {
      clock.increment(60_000);
      return agentOf(r, 'watcher').state === 'idle';
    });
    void r.trigger('watcher', alice);
    await until('the slash of the score', () => penalty() > before);
    await r.flush();
  }

  /** Runs `sql` as the superuser on its own connection, closed after (the embedded server serves one at a time). */
  async function asSuperuser<R>(
    s: TestStore,
    run: (su: Awaited<ReturnType<TestStore['superuser']>>) => Promise<R>,
  ): Promise<R> {
    const su = await s.superuser();
    try {
      return await run(su);
    } finally {
      await su.end();
    }
  }

  /** The slashes the store holds: reputation history rows of kind `slash`, stake entries, and their audit entries. */
  async function stored(s: TestStore): Promise<Stored> {
    return asSuperuser(s, async (su) => {
      const score = await su.query(`select count(*)::int as n from mandate_reputation_event where kind = 'slash'`);
      const stake = await su.query(
        `select count(*) filter (where kind = 'slashed')::int as n, (array_agg(balance order by id desc))[1] as balance from mandate_stake_entry`,
      );
      const audit = await su.query(
        `select count(*) filter (where action = 'reputation.changed' and data->>'kind' = 'slash')::int as score,
                count(*) filter (where action = 'stake.slashed')::int as stake from mandate_audit_entry`,
      );
      return {
        scoreSlashes: score.rows[0].n,
        stakeSlashes: stake.rows[0].n,
        balance: stake.rows[0].balance,
        audited: { score: audit.rows[0].score, stake: audit.rows[0].stake },
      };
    });
  }

  /** Makes every insert into `table` that matches `when` fail, as a crash of that write would, until {@link heal}. */
  async function crashOn(s: TestStore, table: string, when: string): Promise<void> {
    await asSuperuser(s, async (su) => {
      await su.query(`create or replace function mandate_test_crash() returns trigger language plpgsql as $$
        begin raise exception 'injected crash in the write of %', tg_table_name; end $$`);
      await su.query(`create trigger mandate_test_crash before insert on ${table}
        for each row when (${when}) execute function mandate_test_crash()`);
    });
  }

  async function heal(s: TestStore, table: string): Promise<void> {
    await asSuperuser(s, (su) => su.query(`drop trigger mandate_test_crash on ${table}`));
  }

  /**
   * One violation with `table`'s write failing: the store holds no slash at all; then, healed, the restarted
   * agent's slashes store all four rows each (it may violate again as soon as it is spawned: what it
   * restored from agrees either way), and the audit chain still verifies.
   */
  async function failThenHeal(s: TestStore, table: string, when: string): Promise<void> {
    await crashOn(s, table, when);
    let { runtime: r, clock } = await start(s);
    await violate(r, clock);
    await r.shutdown(); // waits for the reputation change (and its stake's slash) to be written or refused
    runtime = undefined;
    s.store = await s.reopen();
    expect(await stored(s)).toEqual({
      scoreSlashes: 0,
      stakeSlashes: 0,
      balance: '1000',
      audited: { score: 0, stake: 0 },
    });

    await heal(s, table);
    ({ runtime: r, clock } = await start(s));
    await violate(r, clock);
    await r.shutdown();
    runtime = undefined;
    s.store = await s.reopen();
    const after = await stored(s);
    expect(after.scoreSlashes).toBeGreaterThanOrEqual(1);
    expect(after.stakeSlashes).toBe(after.scoreSlashes);
    expect(after.audited).toEqual({ score: after.scoreSlashes, stake: after.scoreSlashes });
    expect(Number(after.balance)).toBeCloseTo(1000 * 0.85 ** after.scoreSlashes, 9);
    const verified = await s.store.audit.verify();
    expect(verified.ok, JSON.stringify(verified.breaks[0])).toBe(true);
  }

  it(
    'issue 10 - a failing stake write takes the score slash with it: the store holds neither, then both',
    { timeout: 120_000 },
    async () => {
      const s = (t = await openTestStore(driver));
      await failThenHeal(s, 'mandate_stake_entry', `new.kind = 'slashed'`);
    },
  );

  it(
    'issue 10 - a failing audit write of the slash takes the score and the stake slash with it: nothing, then all four rows',
    { timeout: 120_000 },
    async () => {
      await runtime?.shutdown().catch(() => undefined);
      runtime = undefined;
      await t?.[Symbol.asyncDispose]();
      const s = (t = await openTestStore(driver));
      await failThenHeal(s, 'mandate_audit_entry', `new.action = 'stake.slashed'`);
    },
  );
});

interface Stored {
  scoreSlashes: number;
  stakeSlashes: number;
  balance: string;
  audited: { score: number; stake: number };
}
