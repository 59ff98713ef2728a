import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/persistence/index.ts';
import { ClusterRun, killRound, within } from './cluster/ClusterRun.ts';
import { readLedger } from './cluster/fileBank.ts';

const ROUNDS = Number(process.env.MANDATE_FAILOVER_ROUNDS ?? 2);
const TTL = 2_000;

describe('placement - three runtime processes, a three-server NATS cluster, one PostgreSQL', () => {
  let run: ClusterRun | undefined;
  afterAll(async () => {
    await run?.close();
  });

  it(
    'cluster - kill -9 mid-payment, SIGSTOP past the TTL, one NATS server down: every agent runs once, nothing paid twice, stale owners fenced',
    { timeout: 600_000 },
    async () => {
      run = await ClusterRun.start({ nodes: 3, agents: 6, ttlMs: TTL });
      await within('every agent placed exactly once', 60_000, () => run!.placedOnce());
      // node-0 started first and took every agent; the nodes that joined later get a share (rebalancing).
      await within(
        'agents rebalanced onto every node',
        60_000,
        () => run!.placedOnce() && run!.live().every((n) => n.hosted.length > 0),
      );

      const failovers: number[] = [];
      for (let round = 0; round < ROUNDS; round++) failovers.push(await killRound(run, TTL + 5_000));

      // SIGSTOP a node past its TTL: its agents move; once it wakes it must not pay or record for them.
      await within('every agent placed once before the pause', 60_000, () => run!.placedOnce());
      const paused = run.live().find((n) => n.hosted.length > 0)!;
      const moved = [...paused.hosted];
      paused.child.kill('SIGSTOP');
      paused.stopped = true;
      await within(`the agents of the paused ${paused.id} run elsewhere`, TTL + 5_000, () => run!.placedOnce());
      await within('a successor paid for a moved agent', 20_000, () =>
        readLedger(run!.ledger).some((l) => moved.includes(l.agentId) && l.node !== paused.id),
      );
      paused.child.kill('SIGCONT');
      paused.stopped = false;
      await within(`${paused.id} gave the moved agents up`, 10_000, () =>
        paused.hosted.every((a) => !moved.includes(a)),
      );
      await new Promise((r) => setTimeout(r, 1_000));

      // Kill one NATS server of three: leases (R3 buckets) keep renewing, payments go on.
      const before = readLedger(run.ledger).length;
      await run.nats.servers[0]!.stop();
      await new Promise((r) => setTimeout(r, TTL * 2));
      await within(
        'payments continue with one NATS server down',
        30_000,
        () => readLedger(run!.ledger).length > before + 6,
      );
      // (A handover in progress leaves an agent on no node for a moment: wait for the next settled view.)
      await within('every agent placed once with one NATS server down', 30_000, () => run!.placedOnce());

      await run.stopNodes();
      const closed = run;

      // The bank's own ledger: nothing paid twice; after a successor's first payment for an agent, no earlier owner paid for it.
      const ledger = readLedger(closed.ledger);
      const keys = ledger.map((l) => l.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const agent of new Set(ledger.map((l) => l.agentId))) {
        const tokens = ledger.filter((l) => l.agentId === agent).map((l) => l.token);
        expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
      }
      const db = await reopen(closed);
      try {
        const intents = (await db.query(`select key, status from mandate_intent`)).rows as {
          key: string;
          status: string;
        }[];
        const paidKeys = new Set(keys);
        // No intent claims a payment the bank did not make, and every payment has its write-ahead intent.
        expect(intents.filter((i) => i.status === 'succeeded' && !paidKeys.has(i.key))).toEqual([]);
        expect(keys.filter((k) => !intents.some((i) => i.key === k))).toEqual([]);
        const registered = (
          await db.query(`select count(*)::int as n, count(distinct did)::int as dids from mandate_agent`)
        ).rows[0];
        expect(registered).toEqual({ n: 6, dids: 6 });
      } finally {
        await db.end();
      }
      console.log(
        `cluster: ${ROUNDS} kill -9 rounds, failover ${failovers.join('/')} ms (TTL ${TTL} ms), ${ledger.length} payments, none repeated; ${moved.length} agents moved off the SIGSTOPped node`,
      );
    },
  );
});

async function reopen(run: ClusterRun): Promise<pg.Client> {
  const store = await openStore({ env: run.env('verifier') });
  try {
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  } finally {
    await store.close();
  }
  const c = new pg.Client({ connectionString: run.db.url });
  await c.connect();
  return c;
}
