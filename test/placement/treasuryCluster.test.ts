import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptKeystoreJsonSync } from 'ethers';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { HdWallets } from '../../actors/index.ts';
import { ChainMarket } from '../../examples/treasury/live/ChainMarket.ts';
import { loadInvoices, TreasurySimulation } from '../../examples/treasury/TreasurySimulation.ts';
import { openChain, type ChainConnection } from '../../runtime/chain/index.ts';
import { openStore } from '../../runtime/persistence/index.ts';
import { startEvmNode, type EvmNode } from '../support/evmNode.ts';
import { ClusterRun, within, type NodeProcess } from './cluster/ClusterRun.ts';
import {
  activations,
  invoicesPaidOnChain,
  nonceReports,
  placementOverlaps,
  usdcInvoices,
} from './cluster/treasuryChecks.ts';

/** Kill rounds; CI runs one (about a minute). `MANDATE_TREASURY_CLUSTER_ROUNDS=10` for a longer run by hand. */
const ROUNDS = Number(process.env.MANDATE_TREASURY_CLUSTER_ROUNDS ?? 1);
const NODES = Number(process.env.MANDATE_TREASURY_CLUSTER_NODES ?? 2);
const TTL = 2_000;
const AGENTS = ['fee-watcher', 'fx-rebalancer', 'payables', 'statement-reconciler', 'treasury-strategist'];

describe('placement - the live treasury example on several runtime processes, one PostgreSQL, one NATS, one EVM node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-treasury-cluster-'));
  let evm: EvmNode | undefined;
  let run: ClusterRun | undefined;
  let market: { chain: ChainConnection; market: ChainMarket } | undefined;
  afterAll(async () => {
    await market?.market.stop();
    await market?.chain.close();
    await run?.close();
    await evm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'treasury cluster - kill -9 a node mid-payment: its agents resume on a survivor, each agent ran on one node at a time, every invoice paid once on chain, nonces gap-free, audit verifies',
    { timeout: 300_000 },
    async () => {
      const t0 = Date.now();
      const mark = (what: string) => console.log(`treasury cluster: ${what} at ${Date.now() - t0} ms`);
      evm = await startEvmNode();
      // The operator (deployer, market maker, funder) is a funded development account, in a keystore as in production.
      const keystore = join(dir, 'operator.json');
      writeFileSync(
        keystore,
        encryptKeystoreJsonSync(
          { address: evm.accounts[0]!.address, privateKey: evm.accounts[0]!.privateKey },
          'operator-test',
          { scrypt: { N: 1 << 10 } },
        ),
      );
      const chainEnv = {
        EVM_RPC_URL: evm.url,
        MANDATE_OPERATOR_KEYSTORE: keystore,
        MANDATE_OPERATOR_KEYSTORE_PASSWORD: 'operator-test',
        TREASURY_CHAIN_DIR: join(dir, 'chain'),
      };
      const openShared = () =>
        openChain({
          dir: chainEnv.TREASURY_CHAIN_DIR,
          seed: `0x${'11'.repeat(32)}`, // only the operator signs here; the nodes use the store's seed
          feeds: { EURUSD: { decimals: 8, initial: '1.085', description: 'EUR / USD' } },
          env: chainEnv,
        });
      // The contracts are deployed once, before any node starts; the nodes read their addresses.
      await (await openShared()).close();

      run = await ClusterRun.start({
        nodes: NODES,
        agents: AGENTS.length,
        ttlMs: TTL,
        child: join(import.meta.dirname, 'cluster/treasuryNode.ts'),
        natsServers: 1,
        env: chainEnv,
      });
      mark('nodes started');
      // node-0 funded the agents with the operator key; from now on only the market uses it (its own nonce manager).
      const chain = await openShared();
      const invoices = await loadInvoices(join(import.meta.dirname, '../../examples/treasury/invoices.yaml'));
      const sim = new TreasurySimulation(invoices);
      const marketAlerts: string[] = [];
      market = { chain, market: new ChainMarket(chain, sim, { alert: (a) => void marketAlerts.push(a.message) }) };
      await market.market.start(2_000);

      await within('every agent placed exactly once', 60_000, () => run!.placedOnce());
      mark('placed');
      // Each agent placed on a single live node, sampled all along (a killed node counts until it is seen dead).
      const doubles: string[] = [];
      const sampler = setInterval(() => {
        const seen = run!.placements().map(([a]) => a);
        if (new Set(seen).size !== seen.length) doubles.push(seen.join(','));
      }, 50);

      const killedAt = new Map<string, number[]>();
      const failovers: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await within('every agent placed once before the kill', 60_000, () => run!.placedOnce());
        // Mid-payment: the node whose payables agent is acting (paying an invoice); failing that, any agent acting.
        const acting = (agent?: string) =>
          run!
            .live()
            .find((n) => n.hosted.some((a) => (agent === undefined || a === agent) && n.states.get(a) === 'act'));
        let victim: NodeProcess | undefined;
        await within('payables mid-payment', 30_000, () => (victim = acting('payables')) !== undefined).catch(() =>
          within('an agent mid-act', 20_000, () => (victim = acting()) !== undefined),
        );
        const v = victim!;
        const moved = [...v.hosted];
        killedAt.set(v.id, [...(killedAt.get(v.id) ?? []), Date.now()]);
        await run.kill(v, 'SIGKILL');
        failovers.push(await within(`the agents of ${v.id} run elsewhere`, TTL + 5_000, () => run!.placedOnce()));
        expect(moved.every((a) => run!.live().some((n) => n.hosted.includes(a)))).toBe(true);
        // Restarted for the next round (it takes its share back); after the last one the survivors finish the run.
        if (round < ROUNDS - 1) await run.startNode(run.nodes.indexOf(v));
      }
      // Payables goes on after the failover: the first two invoices are paid (INV-1003 waits for its approvers).
      mark('kill rounds done');
      const payer = await payablesWallet(run);
      const paidSoFar = () => invoicesPaidOnChain(chain.provider(), chain.contracts.tokens.USDC!, payer);
      for (const start = Date.now(); Date.now() - start < 60_000; await new Promise((r) => setTimeout(r, 500)))
        if ((await paidSoFar()).has('INV-1002')) break;
      clearInterval(sampler);
      mark('INV-1002 paid');
      await run.stopNodes();
      await market.market.stop();

      mark('nodes stopped');
      const paid = await paidSoFar();
      const db = new pg.Client({ connectionString: run.db.url });
      await db.connect();
      try {
        // Nothing paid twice, nothing paid that was not decided: each USDC transfer from payables is one invoice, once.
        expect([...paid.entries()].filter(([, n]) => n > 1)).toEqual([]);
        expect([...paid.keys()].filter((k) => !usdcInvoices().some((i) => i.id === k))).toEqual([]);
        expect(paid.get('INV-1001')).toBe(1);
        expect(paid.get('INV-1002')).toBe(1);
        expect(paid.has('INV-1003')).toBe(false); // held for two approvers' Safe signatures
        expect(paid.has('INV-1004')).toBe(false); // blocked counterparty
        // The runtime's intents and the rail's ledger say the same.
        const intents = (await db.query(`select key, status from mandate_intent where key like 'payables:INV-%'`))
          .rows as Array<{
          key: string;
          status: string;
        }>;
        // (The EUR invoice goes by SEPA through the sandbox bank, not on chain.)
        const eur = new Set(invoices.filter((i) => i.currency === 'EUR').map((i) => i.id));
        const succeeded = intents.filter((i) => i.status === 'succeeded').map((i) => i.key.slice('payables:'.length));
        expect(succeeded.filter((k) => !eur.has(k)).sort()).toEqual([...paid.keys()].sort());
        const rail = (
          await db.query(`select idempotency_key as key, status from rail_intents where agent_id = 'payables'`)
        ).rows as Array<{ key: string; status: string }>;
        // One rail intent per paid invoice (the key is unique), final.
        const railPaid = rail.filter((r) => paid.has(r.key.replace(/^payables:/, '')));
        expect(railPaid.map((r) => r.status).sort(), JSON.stringify(rail)).toEqual(
          [...paid.keys()].map(() => 'confirmed'),
        );

        // Nonces gap-free: every nonce a rail handed out was signed, mined, and nothing else was sent from its wallets.
        const reports = await nonceReports(db, chain.provider());
        expect(reports.length).toBeGreaterThan(0);
        for (const r of reports) {
          expect(r.signed, r.address).toEqual(Array.from({ length: r.next }, (_, i) => i));
          expect(r.onChain, r.address).toBe(r.next);
          expect(r.foreign, r.address).toEqual([]);
        }

        // One node at a time, by the audit trail; the killed node's agents were activated again elsewhere.
        expect(await placementOverlaps(db, killedAt)).toEqual([]);
        expect(doubles).toEqual([]);
        const activated = await activations(db);
        expect([...activated.keys()].sort()).toEqual(AGENTS);
        expect([...activated.values()].some((nodes) => new Set(nodes).size > 1)).toBe(true);
      } finally {
        await db.end();
      }
      const store = await openStore({ env: run.env('verifier') });
      try {
        expect(await store.audit.verify()).toMatchObject({ ok: true });
      } finally {
        await store.close();
      }
      console.log(
        `treasury cluster: ${NODES} nodes, ${ROUNDS} kill -9 rounds, failover ${failovers.join('/')} ms (TTL ${TTL} ms); paid ${[...paid.keys()].join(', ')} once each; market alerts ${marketAlerts.length}`,
      );
    },
  );
});

/** The payables agent's wallet address, derived from the shared store's wallet seed. */
async function payablesWallet(run: ClusterRun): Promise<string> {
  const store = await openStore({ env: run.env('verifier') });
  try {
    return HdWallets.fromSeed(await store.walletSeed()).addressOf('payables');
  } finally {
    await store.close();
  }
}
