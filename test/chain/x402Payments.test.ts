/**
 * x402 payments on the embedded chain, against a local resource server whose facilitator is the x402
 * packages' own (`@x402/core` + `@x402/evm`): the happy path under governance, the three failures
 * users report paying twice on (settle timeout, response lost after settling, two parallel requests
 * with one authorization) — each checked on chain — budget exhaustion refusing before anything is
 * signed, and the kill switch cancelling an outstanding authorization.
 */
import { parseUnits, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createX402Actuator,
  Eip3009Authorizations,
  quoteX402,
  x402Nonce,
  type Actuator,
  type X402Asset,
} from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';
import { startX402Server, type X402TestServer } from '../support/x402Server.ts';

const PRICE = parseUnits('0.10', 6);
const human = { kind: 'human' as const, id: 'ops' };

let t: EmbeddedTreasury;
let server: X402TestServer;
let asset: X402Asset;
let payTo: string;

beforeAll(async () => {
  t = await startEmbeddedTreasury();
  const usdc = t.chain.contracts.tokens.USDC!;
  asset = { chainId: t.chain.chainId, address: usdc, symbol: 'USDC', decimals: 6 };
  payTo = Wallet.createRandom().address;
  const facilitator = Wallet.createRandom();
  await t.fund(facilitator.address, {});
  server = await startX402Server({
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    token: { address: usdc, name: 'USD Coin', version: '2' },
    payTo,
    amount: PRICE,
    facilitatorKey: facilitator.privateKey as `0x${string}`,
    slowMs: 1_200,
  });
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

function authorizations(runtime: MandateRuntime): Eip3009Authorizations {
  return new Eip3009Authorizations({
    sql: t.db.sql,
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    token: { address: asset.address, name: 'USD Coin', version: '2' },
    killSwitch: runtime.railKillSwitch(),
  });
}

function actuatorFor(runtime: MandateRuntime, timeoutMs = 5_000): Actuator {
  return createX402Actuator({
    authorizations: authorizations(runtime),
    asset,
    signerOf: (id) => t.chain.wallets.forAgent(id),
    timeoutMs,
  });
}

async function payAction() {
  const quote = await quoteX402(server.url, asset);
  return {
    type: 'x402.pay',
    capability: 'data.buy',
    account: 'data',
    amount: { value: quote.price, asset: 'USDC' },
    counterparty: quote.payTo,
    params: { url: quote.url, requirements: quote.requirements },
  };
}

const ctxOf = (agentId: string, key: string) => ({
  agentId,
  decisionId: key,
  idempotencyKey: key,
  mode: 'live' as const,
  now: Date.now(),
});

async function rowsOf(agentId: string): Promise<number> {
  const rows = await t.db.sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM rail_authorizations WHERE agent_id = $1`,
    [agentId],
  );
  return Number(rows[0]!.n);
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !(await check());) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A payer agent buying the server's data under governance: limits per transaction and per day. */
async function buyer(runtime: MandateRuntime, id: string, daily: string) {
  await t.fund(t.chain.walletOf(id), { usdc: '5' });
  await runtime.spawn(
    defineAgent({
      id,
      capabilities: ['data.buy'],
      permissions: [{ capability: 'data.buy', accounts: ['data'] }],
      limits: { perTransaction: { USDC: '1' }, daily: { USDC: daily }, maxAttempts: 2, baseDelay: 50, maxDelay: 100 },
      perceive: async () => ({ quote: await quoteX402(server.url, asset) }),
      decide: {
        async decide(facts) {
          const q = facts.quote as Awaited<ReturnType<typeof quoteX402>>;
          return {
            action: {
              type: 'x402.pay',
              capability: 'data.buy',
              account: 'data',
              amount: { value: q.price, asset: 'USDC' },
              counterparty: q.payTo,
              params: { url: q.url, requirements: q.requirements },
            },
            confidence: 1,
            rationale: `buy market data at ${q.price} USDC`,
            rulesFired: ['buy-data'],
            model: null,
          };
        },
      },
      act: actuatorFor(runtime),
    }),
  );
  const cycle = async () => {
    const host = agentOf(runtime, id);
    const before = host.context.decision?.id;
    expect(await runtime.trigger(id, human)).toBe(true);
    await until(() => host.state === 'idle' && host.context.decision?.id !== before);
    return host.context;
  };
  return cycle;
}

describe('x402 payments', () => {
  it('x402 - a governed agent pays a 402 resource once and receives the data; the payee is paid on chain', async () => {
    const runtime = await createRuntime({ mode: 'live', chain: t.chain });
    const cycle = await buyer(runtime, 'buyer-a', '10');
    const before = await t.balance('USDC', payTo);
    const ctx = await cycle();
    expect(ctx.verdict?.status).toBe('approved');
    expect(ctx.outcome).toMatchObject({ status: 'succeeded', receipt: { settled: true, delivered: true } });
    expect(JSON.parse(String(ctx.outcome?.receipt?.body))).toMatchObject({ eurUsd: '1.0842' });
    expect(ctx.outcome?.receipt?.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await t.balance('USDC', payTo)) - before).toBe(PRICE);
    await runtime.shutdown();
  });

  it('x402 - settle timeout: the client gives up, the retry resends the same authorization, paid once on chain', async () => {
    const runtime = await createRuntime({ mode: 'live', chain: t.chain });
    await t.fund(t.chain.walletOf('buyer-b'), { usdc: '5' });
    const act = actuatorFor(runtime, 300);
    const action = await payAction();
    const before = await t.balance('USDC', payTo);
    const settled = server.settlements.length;
    server.faults.push('slow-settle');
    await expect(act.execute(action, ctxOf('buyer-b', 'k-timeout'))).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_X402_SETTLEMENT_UNKNOWN,
    });
    await until(() => server.settlements.length === settled + 1); // the server settled after the client left
    const retried = await act.execute(action, ctxOf('buyer-b', 'k-timeout'));
    expect(retried).toMatchObject({ status: 'succeeded', receipt: { settled: true, delivered: false } });
    expect((await t.balance('USDC', payTo)) - before).toBe(PRICE);
    expect(await rowsOf('buyer-b')).toBe(1);
    await runtime.shutdown();
  });

  it('x402 - a server that dies before settling: settlement unknown, the retry pays with the same authorization', async () => {
    const runtime = await createRuntime({ mode: 'live', chain: t.chain });
    await t.fund(t.chain.walletOf('buyer-c'), { usdc: '5' });
    const act = actuatorFor(runtime);
    const action = await payAction();
    const before = await t.balance('USDC', payTo);
    server.faults.push('no-settle');
    await expect(act.execute(action, ctxOf('buyer-c', 'k-dies'))).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_X402_SETTLEMENT_UNKNOWN,
    });
    expect(await act.reconcile!(action, ctxOf('buyer-c', 'k-dies'))).toBeUndefined(); // unused on chain
    const retried = await act.execute(action, ctxOf('buyer-c', 'k-dies'));
    expect(retried).toMatchObject({ status: 'succeeded', receipt: { settled: true, delivered: true } });
    expect((await t.balance('USDC', payTo)) - before).toBe(PRICE);
    expect(await rowsOf('buyer-c')).toBe(1);
    await runtime.shutdown();
  });

  it('x402 - response lost after settling: found settled on chain, not paid again', async () => {
    const runtime = await createRuntime({ mode: 'live', chain: t.chain });
    await t.fund(t.chain.walletOf('buyer-d'), { usdc: '5' });
    const act = actuatorFor(runtime);
    const action = await payAction();
    const before = await t.balance('USDC', payTo);
    server.faults.push('drop-after-settle');
    const first = await act.execute(action, ctxOf('buyer-d', 'k-lost'));
    expect(first).toMatchObject({ status: 'succeeded', receipt: { settled: true, delivered: false } });
    const again = await act.execute(action, ctxOf('buyer-d', 'k-lost'));
    expect(again.status).toBe('succeeded');
    expect((await t.balance('USDC', payTo)) - before).toBe(PRICE);
    await runtime.shutdown();
  });

  it('x402 - two parallel requests of one payment carry one authorization; the chain settles it once', async () => {
    const runtime = await createRuntime({ mode: 'live', chain: t.chain });
    await t.fund(t.chain.walletOf('buyer-e'), { usdc: '5' });
    const act = actuatorFor(runtime);
    const action = await payAction();
    const before = await t.balance('USDC', payTo);
    const settled = server.settlements.length;
    const results = await Promise.all([
      act.execute(action, ctxOf('buyer-e', 'k-parallel')),
      act.execute(action, ctxOf('buyer-e', 'k-parallel')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(results.map((r) => r.receipt?.nonce)).toEqual([
      x402Nonce('buyer-e', 'k-parallel'),
      x402Nonce('buyer-e', 'k-parallel'),
    ]);
    expect(server.settlements.length - settled).toBeLessThanOrEqual(1);
    expect((await t.balance('USDC', payTo)) - before).toBe(PRICE);
    expect(await rowsOf('buyer-e')).toBe(1);
    await runtime.shutdown();
  });

  it('x402 - budget exhausted: governance refuses the next 402 before anything is signed', async () => {
    const runtime = await createRuntime({ mode: 'live', chain: t.chain });
    const cycle = await buyer(runtime, 'buyer-f', '0.25');
    expect((await cycle()).outcome?.status).toBe('succeeded');
    expect((await cycle()).outcome?.status).toBe('succeeded');
    const paid = server.paidRequests;
    const third = await cycle();
    expect(third.verdict).toMatchObject({ status: 'denied', by: 'governance' });
    expect(third.verdict?.reason).toMatch(/daily/);
    expect(await rowsOf('buyer-f')).toBe(2);
    expect(server.paidRequests).toBe(paid);
    await runtime.shutdown();
  });

  it('x402 - governance: a payee off the allowlist is denied, a price over the threshold waits for a human; nothing is signed first', async () => {
    const rules = (allowed: string[]) => ({
      approvalTimeout: 60_000,
      groupBudgets: {},
      rules: [
        {
          name: 'payee-allowlist',
          priority: 2,
          conditions: {
            all: [
              { fact: 'action', operator: 'equal', value: 'x402.pay' },
              { fact: 'counterparty', operator: 'notIn', value: allowed },
            ],
          },
          effect: 'deny' as const,
          reason: 'payee is not on the x402 allowlist',
        },
        {
          name: 'big-purchase',
          priority: 1,
          conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 0.1 }] },
          effect: 'require-approval' as const,
          reason: 'data purchases of 0.10 USDC or more need a treasurer',
        },
      ],
    });
    const strict = await createRuntime({
      mode: 'live',
      chain: t.chain,
      governance: rules([Wallet.createRandom().address]),
    });
    const denied = await (await buyer(strict, 'buyer-h', '10'))();
    expect(denied.verdict).toMatchObject({ status: 'denied', by: 'governance' });
    expect(denied.verdict?.reason).toMatch(/allowlist/);
    expect(await rowsOf('buyer-h')).toBe(0);
    await strict.shutdown();

    const held = await createRuntime({ mode: 'live', chain: t.chain, governance: rules([payTo]) });
    await buyer(held, 'buyer-i', '10');
    const host = agentOf(held, 'buyer-i');
    const before = await t.balance('USDC', payTo);
    expect(await held.trigger('buyer-i', human)).toBe(true);
    await until(() => host.state === 'awaitingApproval');
    expect(await rowsOf('buyer-i')).toBe(0);
    const pending = held.listApprovals('pending')[0]!;
    await held.approve(pending.id, human, 'known data vendor');
    await until(() => host.state === 'idle');
    expect(host.context.outcome?.status).toBe('succeeded');
    expect((await t.balance('USDC', payTo)) - before).toBe(PRICE);
    await held.shutdown();
  });

  it('x402 - the kill switch cancels an outstanding authorization; it can never settle', async () => {
    const runtime = await createRuntime({ mode: 'live', chain: t.chain });
    await t.fund(t.chain.walletOf('buyer-g'), { usdc: '5' });
    const auths = authorizations(runtime);
    runtime.addRetractor('eip3009', (covers) =>
      auths.retract(covers, { signerOf: (id) => t.chain.wallets.forAgent(id), sender: t.chain.operator() }),
    );
    const act = actuatorFor(runtime);
    const action = await payAction();
    const before = await t.balance('USDC', payTo);
    server.faults.push('no-settle');
    await expect(act.execute(action, ctxOf('buyer-g', 'k-kill'))).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_X402_SETTLEMENT_UNKNOWN,
    });
    await runtime.engageKillSwitch({ agents: ['buyer-g'] }, human, 'stop paying');
    const nonce = x402Nonce('buyer-g', 'k-kill');
    expect((await auths.find(nonce))?.status).toBe('cancelled');
    expect(await auths.usedOnChain(t.chain.walletOf('buyer-g'), nonce)).toBe(true);
    const after = await act.execute(action, ctxOf('buyer-g', 'k-kill'));
    expect(after).toMatchObject({ status: 'failed', error: { code: ErrorCode.MANDATE_ERR_X402_CANCELLED } });
    expect(await t.balance('USDC', payTo)).toBe(before);
    await runtime.shutdown();
  });
});
