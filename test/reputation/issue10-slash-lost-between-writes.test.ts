import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf, servicesOf } from '../support/agentOf.ts';
import { openTestStore, STORE_DRIVERS, type TestStore } from '../support/db.ts';

// Issue 10, session 23's list of what was left: a major violation changed the reputation score and
// then slashed the stake in a separate transaction, so a crash (or a failed write) between the two
// left the score slashed and the stake not. The second write is made to fail here, by a trigger on
// the stake table; the store must then hold neither slash, and both once the trigger is gone.

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

  /** The slashes the store holds: reputation history rows of kind `slash`, and stake entries. */
  async function stored(s: TestStore): Promise<{ scoreSlashes: number; stakeSlashes: number; balance: string }> {
    return asSuperuser(s, async (su) => {
      const score = await su.query(`select count(*)::int as n from mandate_reputation_event where kind = 'slash'`);
      const stake = await su.query(
        `select count(*) filter (where kind = 'slashed')::int as n, (array_agg(balance order by id desc))[1] as balance from mandate_stake_entry`,
      );
      return { scoreSlashes: score.rows[0].n, stakeSlashes: stake.rows[0].n, balance: stake.rows[0].balance };
    });
  }

  it(
    'issue 10 - a failing stake write takes the score slash with it: the store holds neither, then both',
    { timeout: 120_000 },
    async () => {
      const s = (t = await openTestStore(driver));
      await asSuperuser(s, async (su) => {
        await su.query(`create function mandate_test_crash() returns trigger language plpgsql as $$
        begin raise exception 'injected crash before the stake slash was written'; end $$`);
        await su.query(`create trigger mandate_test_crash before insert on mandate_stake_entry
        for each row when (new.kind = 'slashed') execute function mandate_test_crash()`);
      });
      let { runtime: r, clock } = await start(s);

      await violate(r, clock);
      await r.shutdown(); // waits for the reputation change (and its stake's slash) to be written or refused
      runtime = undefined;
      s.store = await s.reopen();
      expect(await stored(s)).toEqual({ scoreSlashes: 0, stakeSlashes: 0, balance: '1000' });

      // With the stake write working again, the restarted agent's slashes store both, in one transaction
      // (it may violate again as soon as it is spawned: what it restored from agrees either way).
      await asSuperuser(s, (su) => su.query('drop trigger mandate_test_crash on mandate_stake_entry'));
      ({ runtime: r, clock } = await start(s));
      await violate(r, clock);
      await r.shutdown();
      runtime = undefined;
      s.store = await s.reopen();
      const after = await stored(s);
      expect(after.scoreSlashes).toBeGreaterThanOrEqual(1);
      expect(after.stakeSlashes).toBe(after.scoreSlashes);
      expect(Number(after.balance)).toBeCloseTo(1000 * 0.85 ** after.scoreSlashes, 9);
    },
  );
});
