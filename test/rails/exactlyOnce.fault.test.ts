import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Interface, parseUnits, Wallet } from 'ethers';
import { SafeMultisig } from '../../actors/wallets/SafeMultisig.ts';
import { mandateArtifacts } from '../../contracts/index.ts';
import { openChain } from '../../runtime/chain/index.ts';
import { createRailTestDatabase } from '../support/evmDatabase.ts';
import { startEmbeddedTreasuryChain } from '../support/embeddedTreasury.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRailFixture, type RailFixture } from '../support/evmFixture.ts';

/**
 * Kill points (one SIGKILLed worker process, mid-plan, is one point): at least 100 in CI, at least
 * MANDATE_FAULT_KILLS × workers for the manual long run (MANDATE_FAULT_KILLS=125 is 500, see README
 * "Hardening"). Rounds go on until the count is reached: when a worker's slice is all paid, the plan
 * grows by a batch before the next round, so a fast machine cannot run out of work to interrupt.
 */
const KILLS = Number(process.env['MANDATE_FAULT_KILLS'] ?? 25);
/** Worker processes paying from the same key at once (each its own slice of the plan). */
const WORKERS = Number(process.env['MANDATE_FAULT_WORKERS'] ?? 4);
const KILL_POINTS = KILLS * WORKERS;
const INTENTS = Number(process.env['MANDATE_FAULT_INTENTS'] ?? 6 * KILLS + 10);
/** Intents added to the plan when a worker's slice is all paid before a round (10 per worker). */
const BATCH = 10 * WORKERS;
/** Upper bound on rounds, so a worker that can never be killed fails the test instead of looping. */
const MAX_ROUNDS = 3 * KILLS + 10;
const SEED = Number(process.env['MANDATE_FAULT_SEED'] ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded PRNG so a failing run can be replayed with MANDATE_FAULT_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let fx: RailFixture;
let dir: string;
beforeAll(async () => {
  fx = await startRailFixture(2);
  dir = mkdtempSync(join(tmpdir(), 'mandate-fault-'));
});
afterAll(async () => {
  await fx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startWorker(
  env: NodeJS.ProcessEnv,
  worker = 'faultWorker.ts',
): {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, worker)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('READY')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      markReady();
      resolve(code);
    }),
  );
  return { child, ready, done, output: () => out };
}

describe('exactly-once under SIGKILL', () => {
  it(
    `rails fault - SIGKILLing ${WORKERS} processes paying from one key until ${KILL_POINTS} kill points: every intent paid once or failed, no nonce gap`,
    async () => {
      const random = prng(SEED);
      const payer = fx.node.accounts[fx.payerIndex]!;
      const intent = (i: number) => ({
        kind: 'crypto',
        idempotencyKey: `fault-${SEED}-${i}`,
        agentId: 'agent-fault',
        asset: 'USDC',
        // Every 10th payment exceeds the payer's balance: it must end explicitly failed, never half-paid.
        amount: i % 10 === 9 ? '2000000' : `${1 + i}.25`,
        to: Wallet.createRandom().address,
      });
      const plan = Array.from({ length: INTENTS }, (_, i) => intent(i));
      await fx.node.provider().send('evm_setIntervalMining', [40]);
      const planPath = (w: number) => join(dir, `plan-${w}.json`);
      const writePlans = () => {
        for (let w = 0; w < WORKERS; w++)
          writeFileSync(planPath(w), JSON.stringify(plan.filter((_, i) => i % WORKERS === w)));
      };
      writePlans();
      const envs = Array.from({ length: WORKERS }, (_, w) => ({
        RAIL_DB_URL: fx.db.url,
        RAIL_NODE_URL: fx.node.url,
        RAIL_CHAIN_ID: String(fx.node.chainId),
        RAIL_USDC: fx.usdc,
        RAIL_PAYER_KEY: payer.privateKey,
        RAIL_PLAN: planPath(w),
      }));
      let rounds = 0;
      let killPoints = 0;
      let extended = 0;
      const interrupted: Record<string, number> = {};
      while (killPoints < KILL_POINTS) {
        expect(
          rounds,
          `${killPoints}/${KILL_POINTS} kill points after ${MAX_ROUNDS} rounds (seed ${SEED})`,
        ).toBeLessThan(MAX_ROUNDS);
        rounds += 1;
        // Every worker must have unpaid intents when its round starts, or killing it tests nothing: a slice
        // that is all final gets more work (BATCH intents spread over every worker) first.
        const final = new Set(
          (
            await fx.db.pool.query<{ idempotency_key: string }>(
              `SELECT idempotency_key FROM rail_intents WHERE status IN ('confirmed', 'failed')`,
            )
          ).rows.map((r) => r.idempotency_key),
        );
        const idle = (w: number) => plan.every((p, i) => i % WORKERS !== w || final.has(p.idempotencyKey));
        if (envs.some((_, w) => idle(w))) {
          for (let i = 0; i < BATCH; i++) plan.push(intent(plan.length));
          writePlans();
          extended += 1;
        }
        const ws = envs.map((e) => startWorker(e));
        await Promise.all(ws.map((w) => w.ready));
        await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
        // Only a worker still running when the signal is sent is a kill point; one that finished its slice is not.
        const alive = ws.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
        for (const w of alive) w.child.kill('SIGKILL');
        await Promise.all(ws.map((w) => w.done));
        killPoints += alive.filter((w) => w.child.signalCode === 'SIGKILL').length;
        for (const w of ws)
          if (w.child.signalCode !== 'SIGKILL')
            expect(w.output(), `worker exited on its own (seed ${SEED})`).toContain('DONE');
        // What the kill interrupted: intents between record and final, and signed bytes never acknowledged by the node.
        const open = await fx.db.pool.query<{ status: string; n: string }>(
          `SELECT status, count(*)::text AS n FROM rail_intents WHERE status IN ('pending', 'signed', 'submitted') GROUP BY status`,
        );
        for (const r of open.rows) interrupted[r.status] = (interrupted[r.status] ?? 0) + Number(r.n);
        const unsent = await fx.db.pool.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM rail_attempts WHERE status = 'signed'`,
        );
        interrupted['signed-not-broadcast'] = (interrupted['signed-not-broadcast'] ?? 0) + Number(unsent.rows[0]!.n);
      }
      expect(killPoints).toBeGreaterThanOrEqual(KILL_POINTS);
      const finals = envs.map((e) => startWorker(e));
      const codes = await Promise.all(finals.map((w) => w.done));
      expect(codes, `final worker output (seed ${SEED}):\n${finals.map((w) => w.output()).join('\n')}`).toEqual(
        envs.map(() => 0),
      );

      const rows = (
        await fx.db.pool.query<{
          idempotency_key: string;
          status: string;
          receipt: { reference: string; failure: { code: string } | null };
        }>('SELECT idempotency_key, status, receipt FROM rail_intents')
      ).rows;
      expect(rows).toHaveLength(plan.length);
      const provider = fx.node.provider();
      let confirmed = 0;
      for (const [i, intent] of plan.entries()) {
        const row = rows.find((r) => r.idempotency_key === intent.idempotencyKey)!;
        expect(row.status, `${intent.idempotencyKey}, seed ${SEED}`).toBe(i % 10 === 9 ? 'failed' : 'confirmed');
        if (row.status === 'failed') expect(row.receipt.failure?.code).toBe('MANDATE_ERR_RAIL_PREFLIGHT');
        const balance = await fx.usdcBalance(intent.to);
        const expected = row.status === 'confirmed' ? parseUnits(intent.amount, 6) : 0n;
        expect(balance, `${intent.idempotencyKey} (${row.status}), seed ${SEED}`).toBe(expected);
        if (row.status === 'confirmed') confirmed += 1;
      }
      const latest = await provider.getTransactionCount(payer.address, 'latest');
      const pending = await provider.getTransactionCount(payer.address, 'pending');
      const stored = (await fx.db.pool.query<{ next_nonce: string }>('SELECT next_nonce FROM rail_nonces')).rows;
      expect(pending).toBe(latest);
      expect(stored).toHaveLength(1);
      expect(BigInt(stored[0]!.next_nonce)).toBe(BigInt(latest));
      // Every nonce on chain carries exactly one of our payments (no gaps, no extras).
      expect(latest).toBe(confirmed);
      console.log(
        `rails fault: seed ${SEED}, ${killPoints} kill points in ${rounds} rounds of ${WORKERS} workers (plan extended ${extended} times), ${confirmed}/${plan.length} confirmed (${plan.length - confirmed} refused as planned), final nonce ${latest}; left mid-flight by kills: ${JSON.stringify(interrupted)}`,
      );
    },
    // Generous: on a loaded two-core machine a round takes 15–25 s (about 5 s on a quiet one).
    Math.max(1_200_000, KILLS * 48_000),
  );
});

/** Rounds and items of the embedded-chain fault test (MANDATE_FAULT_CHAIN_KILLS, MANDATE_FAULT_CHAIN_ITEMS for longer runs). */
const CHAIN_KILLS = Number(process.env['MANDATE_FAULT_CHAIN_KILLS'] ?? 4);
const CHAIN_ITEMS = Number(process.env['MANDATE_FAULT_CHAIN_ITEMS'] ?? 6);

describe('exactly-once under SIGKILL on the embedded chain', () => {
  it(
    `rails fault - ${CHAIN_KILLS} SIGKILLs of a process executing Safe payments and pool swaps on the embedded chain: each happens once`,
    async () => {
      const random = prng(SEED + 1);
      const chainDir = mkdtempSync(join(tmpdir(), 'mandate-chain-fault-'));
      const seed = `0x${'3c'.repeat(32)}`;
      const db = await createRailTestDatabase('mandate_chain_fault');
      try {
        // Set-up in this process, then the chain is closed and handed to the workers.
        const setup = await startEmbeddedTreasuryChain(chainDir, seed);
        const { chain } = setup;
        const alice = Wallet.createRandom();
        const bob = Wallet.createRandom();
        const agent = chain.walletOf('agent-fault');
        await setup.fund(agent, { usdc: '100000' });
        await setup.seedPool('1000000', '900000');
        const safeAddress = await SafeMultisig.deploy({
          rpcUrl: chain.eip1193,
          contractNetworks: { [String(chain.chainId)]: chain.contracts.safe },
          chainId: chain.chainId,
          owners: [agent, alice.address, bob.address],
          threshold: 2,
          saltNonce: '7',
          send: async (tx) => void (await (await chain.operator().sendTransaction(tx)).wait()),
        });
        await setup.fund(safeAddress, { usdc: '100000' });
        const safe = await SafeMultisig.connect({
          rpcUrl: chain.eip1193,
          chainId: chain.chainId,
          safeAddress,
          killSwitch: { isEngaged: () => false },
          contractNetworks: { [String(chain.chainId)]: chain.contracts.safe },
        });
        const erc20 = new Interface(['function transfer(address,uint256) returns (bool)']);
        const items: (
          { kind: 'safe'; key: string; payee: string; amount: string } | { kind: 'swap'; key: string; amountIn: string }
        )[] = [];
        const signed: Record<string, unknown> = {};
        for (let i = 0; i < CHAIN_ITEMS; i++) {
          const payee = Wallet.createRandom().address;
          const amount = `${100 + i}.50`;
          const key = `chain-fault-${SEED}-safe-${i}`;
          const proposal = await safe.draft(
            {
              to: chain.contracts.tokens.USDC!,
              value: 0n,
              data: erc20.encodeFunctionData('transfer', [payee, parseUnits(amount, 6)]),
            },
            i,
          );
          const sig = (w: { signingKey: Wallet['signingKey'] }) => w.signingKey.sign(proposal.safeTxHash).serialized;
          signed[key] = {
            request: {
              scheme: 'safe',
              digest: proposal.safeTxHash,
              threshold: 2,
              signers: {},
              typedData: {},
              payload: proposal,
            },
            signatures: {
              'human:alice': { address: alice.address, signature: sig(alice), at: 0 },
              'human:bob': { address: bob.address, signature: sig(bob), at: 0 },
            },
          };
          items.push({ kind: 'safe', key, payee, amount });
          items.push({ kind: 'swap', key: `chain-fault-${SEED}-swap-${i}`, amountIn: `${50 + i}` });
        }
        await chain.close();
        const planPath = join(chainDir, 'plan.json');
        writeFileSync(planPath, JSON.stringify({ safe: safeAddress, items, signed }));
        const env = { CHAIN_DIR: chainDir, CHAIN_SEED: seed, RAIL_DB_URL: db.url, FAULT_PLAN: planPath };
        let killed = 0;
        for (let round = 0; round < CHAIN_KILLS; round++) {
          const w = startWorker(env, 'chainFaultWorker.ts');
          await w.ready;
          await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
          if (w.child.exitCode !== null) {
            expect(w.output()).toContain('DONE');
            break;
          }
          w.child.kill('SIGKILL');
          await w.done;
          killed += 1;
        }
        const last = startWorker(env, 'chainFaultWorker.ts');
        expect(await last.done, `final worker output (seed ${SEED}):\n${last.output()}`).toBe(0);

        const after = await openChain({ dir: chainDir, seed, env: {} });
        try {
          const provider = after.provider();
          const usdc = new Contract(after.contracts.tokens.USDC!, mandateArtifacts.StableToken.abi as never, provider);
          for (const item of items)
            if (item.kind === 'safe')
              expect(await usdc.getFunction('balanceOf')(item.payee), `${item.key} (seed ${SEED})`).toBe(
                parseUnits(item.amount, 6),
              );
          const safeNow = await SafeMultisig.connect({
            rpcUrl: after.eip1193,
            chainId: after.chainId,
            safeAddress,
            killSwitch: { isEngaged: () => false },
            contractNetworks: { [String(after.chainId)]: after.contracts.safe },
          });
          expect(await safeNow.nonce()).toBe(CHAIN_ITEMS);
          // Every swap once: as many Swap events to the agent as swap intents.
          const pair = new Interface([
            'event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)',
          ]);
          const logs = (await provider.send('eth_getLogs', [
            {
              address: after.contracts.pools['USDC/EURC'],
              fromBlock: '0x0',
              toBlock: 'latest',
              topics: [pair.getEvent('Swap')!.topicHash],
            },
          ])) as { topics: string[]; data: string }[];
          const toAgent = logs.filter((l) => pair.parseLog(l)!.args[5].toLowerCase() === agent.toLowerCase());
          expect(toAgent).toHaveLength(CHAIN_ITEMS);
          const rows = (
            await db.pool.query<{ status: string; n: string }>(
              `SELECT status, count(*)::text AS n FROM rail_intents GROUP BY status`,
            )
          ).rows;
          expect(rows.filter((r) => r.status !== 'confirmed')).toEqual([]);
          console.log(
            `rails fault (embedded chain): seed ${SEED}, ${killed} SIGKILLs, ${CHAIN_ITEMS} Safe payments and ${CHAIN_ITEMS} swaps each made once; chain at block ${after.chainId && (await provider.getBlockNumber())}`,
          );
        } finally {
          await after.close();
        }
      } finally {
        await db.close();
        rmSync(chainDir, { recursive: true, force: true });
      }
    },
    Math.max(300_000, CHAIN_KILLS * 20_000),
  );
});
