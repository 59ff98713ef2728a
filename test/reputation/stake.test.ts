import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';
import { openTestStore, type TestStore } from '../support/db.ts';

const plugins = new PluginRegistry().perceiver('market.gas', () => ({ gas: 80 }));
const yaml = `id: watcher
capabilities: [alerts.raise]
stake: { amount: "1000", asset: USDC }
perceive: [market.gas]
code: ./strategy.js
`;
let strategy = `export function decide() { return { action: null, confidence: 1, rationale: process.env.HOME, rulesFired: [] }; }`;
const alice = { kind: 'human' as const, id: 'alice' };

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe('stake (postgresql)', () => {
  let t: TestStore;
  let runtime: MandateRuntime;
  beforeAll(async () => {
    t = await openTestStore('postgresql');
  });
  afterAll(async () => {
    await runtime?.shutdown().catch(() => undefined);
    await t?.[Symbol.asyncDispose]();
  });

  let clock: SimulatedClock;
  async function start(): Promise<void> {
    clock = new SimulatedClock();
    runtime = await createRuntime({ store: t.store, clock });
    await runtime.spawn(
      await parseAgentYaml({ text: yaml, source: 'watcher.yaml', plugins, readRelative: async () => strategy }),
    );
  }

  /** Triggers a cycle once the agent takes one (after a failed phase it restarts with a backoff). */
  async function cycle(): Promise<void> {
    let started = false;
    await until('the agent to take a trigger', () => {
      if (!started) {
        clock.increment(60_000);
        started = agentOf(runtime, 'watcher').state === 'idle';
        if (started) void runtime.trigger('watcher', alice);
      }
      return started;
    });
  }

  it('stake - posted once; each major violation slashes 15% of what is left to the penalty account, recorded, audited and kept across a restart', async () => {
    await start();
    expect((await runtime.agentReputation('watcher')).stake).toMatchObject({
      asset: 'USDC',
      account: 'stake:watcher',
      posted: '1000',
      slashed: '0',
      balance: '1000',
    });
    await cycle();
    await until('the first slash', () => agentOf(runtime, 'watcher').state !== 'idle');
    await new Promise((r) => setTimeout(r, 50));
    await cycle();
    // The supervisor may retry the failing phase before the second trigger lands, so there can be
    // more than two slashes by now; the oldest two are the ones checked here (newest first on the wire).
    const stake = async () => {
      for (let i = 0; i < 400; i++) {
        const s = (await runtime.agentReputation('watcher', { limit: 500 })).stake!;
        if (s.entries.length >= 3) return [...s.entries].reverse();
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('the slashes did not reach the ledger');
    };
    const oldest = await stake();
    expect(oldest[0]).toMatchObject({ kind: 'posted', from: 'external', to: 'stake:watcher', amount: '1000' });
    // 1000 − 15% = 850; 850 − 15% = 722.5 (docs/reputation.md, "Stake").
    expect(oldest[1]).toMatchObject({ kind: 'slashed', amount: '150', balance: '850' });
    expect(oldest[2]).toMatchObject({
      kind: 'slashed',
      amount: '127.5',
      from: 'stake:watcher',
      to: 'penalty',
      balance: '722.5',
      reason: expect.stringContaining(
        'major: major compliance-violation: sandbox violation MANDATE_ERR_SANDBOX_FORBIDDEN',
      ),
    });

    // A restart (and the same definition posting again) neither forgets nor posts twice. The
    // supervisor may have retried the failing phase meanwhile: every slash of the score is one of the stake.
    await runtime.shutdown();
    t.store = await t.reopen();
    strategy = `export function decide() { return { action: null, confidence: 1, rationale: 'ok', rulesFired: [] }; }`;
    await start();
    const kept = (await runtime.agentReputation('watcher', { limit: 500 })).stake!;
    const chain = [...kept.entries].reverse();
    expect(chain.filter((e) => e.kind === 'posted')).toHaveLength(1);
    let balance = 1000;
    for (const e of chain.slice(1)) {
      expect(Number(e.amount)).toBeCloseTo(balance * 0.15, 12);
      balance -= Number(e.amount);
      expect(Number(e.balance)).toBeCloseTo(balance, 12);
    }
    expect(Number(kept.balance)).toBeCloseTo(balance, 12);
    expect(Number(kept.posted) - Number(kept.slashed)).toBeCloseTo(balance, 12);
    const slashes = await t.store.audit.query({ action: 'reputation.changed', limit: 100 });
    const stakeAudit = await t.store.audit.query({ action: 'stake.slashed', limit: 100 });
    expect(stakeAudit.entries).toHaveLength(chain.length - 1);
    expect(slashes.entries.filter((e) => e.data.kind === 'slash')).toHaveLength(chain.length - 1);
    const tokens = new TokenStore();
    const { token } = tokens.issue('obs', 'observer');
    const app = await createGateway({ runtime, tokens });
    const res = await app.inject({
      method: 'GET',
      url: '/api/agents/watcher/reputation?limit=1',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stake: { balance: kept.balance, entries: [{ kind: 'slashed' }] } });
    expect(res.json().stake.entries).toHaveLength(1);
    await app.close();
  });

  it('stake - the ledger is append-only: the database refuses to change or delete an entry', async () => {
    const su = await t.superuser();
    await expect(su.query(`update mandate_stake_entry set balance = '1000'`)).rejects.toThrow(
      /MANDATE_ERR_STAKE_IMMUTABLE/,
    );
    await expect(su.query('delete from mandate_stake_entry')).rejects.toThrow(/MANDATE_ERR_STAKE_IMMUTABLE/);
  });

  it('stake - a stake that is not a positive amount is refused with a coded error naming the field', async () => {
    for (const bad of ['stake: { amount: "-5", asset: USDC }', 'stake: { amount: "0", asset: USDC }']) {
      await expect(
        parseAgentYaml({
          text: yaml.replace('stake: { amount: "1000", asset: USDC }', bad),
          source: 'w.yaml',
          plugins,
          readRelative: async () => strategy,
        }),
      ).rejects.toMatchObject({ code: 'MANDATE_ERR_AGENT_DEFINITION', details: { field: 'stake.amount' } });
    }
  });
});
