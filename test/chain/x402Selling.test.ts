/**
 * x402 selling: a Mandate agent's capability sold behind the gateway (`/x402/:capability`), paid on
 * the embedded chain's EIP-3009 USDC, verified and settled by the x402 packages' own facilitator
 * served over HTTP (`HTTPFacilitatorClient` talks to it). Buyers: the raw `@x402/fetch` client, and a
 * Mandate x402 actuator. Exactly once per authorization, checked on chain and by counting task runs:
 * a replayed payment, two parallel requests with one authorization, a settle answered too late, a
 * settle whose answer is lost, a new process; a denied task is never settled; a held one is settled
 * after its approval.
 */
import { x402Client } from '@x402/core/client';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '@x402/core/http';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment } from '@x402/fetch';
import { Contract, parseUnits, Wallet } from 'ethers';
import type { FastifyInstance } from 'fastify';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createX402Actuator,
  Eip3009Authorizations,
  quoteX402,
  X402Seller,
  type Decider,
  type X402Offer,
} from '../../actors/index.ts';
import type { RailSql } from '../../actors/rails/RailSql.ts';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../../runtime/index.ts';
import { openTestStore, type TestStore } from '../support/db.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';
import { startHttpFacilitator, type HttpFacilitator } from '../support/x402Facilitator.ts';

let t: EmbeddedTreasury;
let store: TestStore;
let runtime: MandateRuntime;
let facilitator: HttpFacilitator;
let seller: X402Seller;
let app: FastifyInstance;
let base: string;
let payTo: string;
let usdc: string;
let buyer: { address: string; privateKey: string };
let client: x402Client;
let runs = 0;
const human = { kind: 'human' as const, id: 'ops' };

/** `fx.quote` answers a quote; the pair `SECRET` asks for `fx.secret` (denied); `fx.deal` needs a human. */
const decide: Decider = {
  async decide(facts) {
    const input = facts.input as { pair?: string; deal?: string };
    const capability = input.deal !== undefined ? 'fx.deal' : input.pair === 'SECRET' ? 'fx.secret' : 'fx.quote';
    return {
      action: { type: 'fx.answer', capability, account: 'fx', params: { ...input } },
      confidence: 1,
      rationale: `answer ${capability}`,
      rulesFired: ['answer'],
      model: null,
    };
  },
};

const offer = (capability: string, price: string): X402Offer => ({
  capability,
  price,
  asset: { chainId: t.chain.chainId, address: usdc, symbol: 'USDC', decimals: 6, name: 'USD Coin', version: '2' },
  payTo,
  description: `FX ${capability}`,
});

function sellerOf(sql: RailSql = t.db.sql): X402Seller {
  const token = new Contract(
    usdc,
    ['function authorizationState(address, bytes32) view returns (bool)'],
    t.chain.provider(),
  );
  return new X402Seller({
    sql,
    facilitator: new HTTPFacilitatorClient({ url: facilitator.url, timeoutMs: 5_000 }),
    offers: [offer('fx.quote', '0.02'), offer('fx.copy', '0.02'), offer('fx.deal', '0.50')],
    audit: (e) => runtime.store!.appendAudit(e),
    authorizationUsed: async (payer, nonce) => (await token.getFunction('authorizationState')(payer, nonce)) as boolean,
  });
}

beforeAll(async () => {
  t = await startEmbeddedTreasury();
  store = await openTestStore('postgresql');
  usdc = t.chain.contracts.tokens.USDC!;
  payTo = Wallet.createRandom().address;
  const key = Wallet.createRandom();
  await t.fund(key.address, {});
  facilitator = await startHttpFacilitator({
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    facilitatorKey: key.privateKey as `0x${string}`,
    slowMs: 6_000,
  });
  runtime = await createRuntime({
    mode: 'live',
    chain: t.chain,
    store: store.store,
    governance: {
      approvalTimeout: 60_000,
      groupBudgets: {},
      rules: [
        {
          name: 'no-secrets',
          priority: 2,
          conditions: { all: [{ fact: 'capability', operator: 'equal', value: 'fx.secret' }] },
          effect: 'deny',
          reason: 'secret rates are not for sale',
        },
        {
          name: 'deals-need-a-human',
          priority: 1,
          conditions: { all: [{ fact: 'capability', operator: 'equal', value: 'fx.deal' }] },
          effect: 'require-approval',
          reason: 'a deal needs a dealer',
        },
      ],
    },
  });
  await runtime.start();
  await runtime.spawn(
    defineAgent({
      id: 'quoter',
      capabilities: ['fx.quote', 'fx.copy', 'fx.deal', 'fx.secret'],
      permissions: [
        { capability: 'fx.quote', accounts: ['fx'] },
        { capability: 'fx.deal', accounts: ['fx'] },
        { capability: 'fx.secret', accounts: ['fx'] },
      ],
      perceive: () => ({}),
      decide,
      act: {
        name: 'fx',
        effect: 'internal',
        execute: async (action) => {
          runs++;
          return { status: 'succeeded', receipt: { eurUsd: '1.0842', ...action.params } };
        },
      },
    }),
  );
  seller = sellerOf();
  app = await createGateway({ runtime, tokens: new TokenStore(), x402: seller });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  buyer = Wallet.createRandom();
  await t.fund(buyer.address, { usdc: '10' });
  client = x402Client.fromConfig({
    schemes: [],
    spendControls: { allowedAssets: [{ network: `eip155:${t.chain.chainId}`, asset: usdc }] },
  });
  registerExactEvmScheme(client, { signer: privateKeyToAccount(buyer.privateKey as `0x${string}`) });
});
afterAll(async () => {
  await app?.close();
  await runtime?.shutdown();
  await facilitator?.close();
  await store?.[Symbol.asyncDispose]();
  await t?.close();
});

/** A fresh signed payment for `path` (not sent): the 402 answer's requirements, signed by the raw client. */
async function signedPayment(path: string): Promise<string> {
  const res = await fetch(`${base}${path}`);
  expect(res.status).toBe(402);
  return encodePaymentSignatureHeader(
    await client.createPaymentPayload(decodePaymentRequiredHeader(res.headers.get('payment-required')!)),
  );
}

const paid = (path: string, header: string) => fetch(`${base}${path}`, { headers: { 'payment-signature': header } });

async function auditOf(action: string) {
  return (await runtime.store!.audit!.query({ action, limit: 100 })).entries;
}

describe('x402 selling', () => {
  it('x402 sell - no payment: 402 with PAYMENT-REQUIRED for the offer and a coded body; GET /x402 lists the offers', async () => {
    const res = await fetch(`${base}/x402/fx.quote?pair=EURUSD`);
    expect(res.status).toBe(402);
    const required = decodePaymentRequiredHeader(res.headers.get('payment-required')!);
    expect(required.accepts).toEqual([
      expect.objectContaining({
        scheme: 'exact',
        amount: '20000',
        payTo,
        asset: usdc,
        network: `eip155:${t.chain.chainId}`,
      }),
    ]);
    expect(required.resource.url).toBe(`${base}/x402/fx.quote`);
    expect(await res.json()).toMatchObject({ error: { code: ErrorCode.MANDATE_ERR_X402_PAYMENT_REQUIRED } });
    const list = (await (await fetch(`${base}/x402`)).json()) as { offers: Array<{ capability: string }> };
    expect(list.offers.map((o) => o.capability).sort()).toEqual(['fx.copy', 'fx.deal', 'fx.quote']);
    expect((await fetch(`${base}/x402/fx.secret`)).status).toBe(404);
  });

  it('x402 sell - raw @x402/fetch pays, the governed task runs once, the payee is paid on chain and the sale audited', async () => {
    const before = await t.balance('USDC', payTo);
    const ran = runs;
    const res = await wrapFetchWithPayment(fetch, client)(`${base}/x402/fx.quote?pair=EURUSD`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outcome: { status: string; receipt: Record<string, unknown> } };
    expect(body.outcome).toMatchObject({ status: 'succeeded', receipt: { eurUsd: '1.0842', pair: 'EURUSD' } });
    expect(decodePaymentResponseHeader(res.headers.get('payment-response')!)).toMatchObject({ success: true });
    expect(runs - ran).toBe(1);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.02', 6));
    const settled = await auditOf('x402.sale.settled');
    expect(settled[0]).toMatchObject({ subject: 'fx.quote', who: { id: `x402:${buyer.address}` } });
    expect(settled[0]?.data).toMatchObject({
      amount: '0.02',
      currency: 'USDC',
      transaction: expect.stringMatching(/^0x/),
    });
  });

  it('x402 sell - a Mandate agent actuator buys from a Mandate gateway', async () => {
    await t.fund(t.chain.walletOf('shopper'), { usdc: '1' });
    const asset = { chainId: t.chain.chainId, address: usdc, symbol: 'USDC', decimals: 6 };
    const act = createX402Actuator({
      authorizations: new Eip3009Authorizations({
        sql: t.db.sql,
        provider: t.chain.provider(),
        chainId: t.chain.chainId,
        token: { address: usdc, name: 'USD Coin', version: '2' },
        killSwitch: runtime.railKillSwitch(),
      }),
      asset,
      signerOf: (id) => t.chain.wallets.forAgent(id),
    });
    const quote = await quoteX402(`${base}/x402/fx.quote`, asset);
    const action = {
      type: 'x402.pay',
      capability: 'data.buy',
      account: 'data',
      amount: { value: quote.price, asset: 'USDC' },
      counterparty: quote.payTo,
      params: { url: quote.url, requirements: quote.requirements },
    };
    const ctx = {
      agentId: 'shopper',
      decisionId: 'd-1',
      idempotencyKey: 'k-1',
      mode: 'live' as const,
      now: Date.now(),
    };
    const outcome = await act.execute(action, ctx);
    expect(outcome).toMatchObject({ status: 'succeeded', receipt: { settled: true, delivered: true } });
    expect(JSON.parse(String(outcome.receipt?.body))).toMatchObject({ outcome: { status: 'succeeded' } });
  });

  it('x402 sell - a replayed payment gets the stored answer: no second run, no second settlement', async () => {
    const header = await signedPayment('/x402/fx.quote?pair=GBPUSD');
    const first = await paid('/x402/fx.quote?pair=GBPUSD', header);
    expect(first.status).toBe(200);
    const ran = runs;
    const calls = facilitator.settleCalls;
    const again = await paid('/x402/fx.quote?pair=GBPUSD', header);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    expect(decodePaymentResponseHeader(again.headers.get('payment-response')!)).toEqual(
      decodePaymentResponseHeader(first.headers.get('payment-response')!),
    );
    expect(runs).toBe(ran);
    expect(facilitator.settleCalls).toBe(calls);
    // The same authorization presented for another capability at the same price buys nothing more.
    const elsewhere = await paid('/x402/fx.copy?pair=GBPUSD', header);
    expect(elsewhere.status).toBe(402);
    expect(((await elsewhere.json()) as { error: { message: string } }).error.message).toMatch(/already used/);
    expect(runs).toBe(ran);
  });

  it('x402 sell - two parallel requests with one authorization run the task once and settle once', async () => {
    const header = await signedPayment('/x402/fx.quote?pair=CHFUSD');
    const before = await t.balance('USDC', payTo);
    const ran = runs;
    const calls = facilitator.settleCalls;
    const answers = await Promise.all([
      paid('/x402/fx.quote?pair=CHFUSD', header),
      paid('/x402/fx.quote?pair=CHFUSD', header),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(runs - ran).toBe(1);
    expect(facilitator.settleCalls - calls).toBe(1);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.02', 6));
  });

  it('x402 sell - a settle answered too late, or whose answer is lost, is resolved on chain: paid once, delivered', async () => {
    for (const fault of ['slow-settle', 'drop-after-settle'] as const) {
      const header = await signedPayment(`/x402/fx.quote?pair=${fault}`);
      const before = await t.balance('USDC', payTo);
      const ran = runs;
      facilitator.faults.push(fault);
      const res = await paid(`/x402/fx.quote?pair=${fault}`, header);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ outcome: { status: 'succeeded' } });
      expect(runs - ran).toBe(1);
      expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.02', 6));
      // The retry settles nothing and runs nothing.
      const calls = facilitator.settleCalls;
      expect((await paid(`/x402/fx.quote?pair=${fault}`, header)).status).toBe(200);
      expect(facilitator.settleCalls).toBe(calls);
      expect(runs - ran).toBe(1);
    }
  });

  it('x402 sell - a denied task is never settled: 403 with a code, the authorization unused on chain, a retry not run again', async () => {
    const header = await signedPayment('/x402/fx.quote?pair=SECRET');
    const before = await t.balance('USDC', payTo);
    const ran = runs;
    const res = await paid('/x402/fx.quote?pair=SECRET', header);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: { code: ErrorCode.MANDATE_ERR_X402_SALE_REFUSED },
      task: { verdict: { status: 'denied', by: 'governance' } },
    });
    expect((await paid('/x402/fx.quote?pair=SECRET', header)).status).toBe(403);
    expect(runs).toBe(ran);
    expect(await t.balance('USDC', payTo)).toBe(before);
    expect((await auditOf('x402.sale.refused'))[0]?.why).toMatch(/secret rates are not for sale/);
  });

  it('x402 sell - a payment for another offer or a forged signature is refused with 402 before anything runs', async () => {
    const ran = runs;
    const forDeal = await signedPayment('/x402/fx.deal?deal=x');
    const wrong = await paid('/x402/fx.quote?pair=EURUSD', forDeal);
    expect(wrong.status).toBe(402);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toMatch(/not this offer/);
    const header = await signedPayment('/x402/fx.quote?pair=EURUSD');
    const decoded = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { payload: { signature: string } };
    decoded.payload.signature = `0x${'11'.repeat(65)}`;
    const forged = await paid('/x402/fx.quote?pair=EURUSD', Buffer.from(JSON.stringify(decoded)).toString('base64'));
    expect(forged.status).toBe(402);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/facilitator refused/);
    expect(runs).toBe(ran);
  });

  it('x402 sell - a held task answers 202 unsettled; once approved it is settled, and the same payment then gets the result', async () => {
    const header = await signedPayment('/x402/fx.deal?deal=EUR-1M');
    const before = await t.balance('USDC', payTo);
    const res = await paid('/x402/fx.deal?deal=EUR-1M', header);
    expect(res.status).toBe(202);
    const { approvalId } = (await res.json()) as { approvalId: string };
    expect(await t.balance('USDC', payTo)).toBe(before);
    // While the only holder waits, a paid quote cannot run: refused, nothing settled, the claim released.
    const busy = await signedPayment('/x402/fx.quote?pair=AUDUSD');
    const refused = await paid('/x402/fx.quote?pair=AUDUSD', busy);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: ErrorCode.MANDATE_ERR_STATE_CONFLICT } });
    await runtime.approve(approvalId, human, 'known client');
    for (let i = 0; i < 500 && (await t.balance('USDC', payTo)) === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.50', 6));
    const later = await paid('/x402/fx.deal?deal=EUR-1M', header);
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({ outcome: { status: 'succeeded', receipt: { deal: 'EUR-1M' } } });
    const retried = await paid('/x402/fx.quote?pair=AUDUSD', busy);
    expect(retried.status).toBe(200);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.52', 6));
  });

  it('x402 sell - a new process (a second seller on the same database) answers a settled payment from the store', async () => {
    const header = await signedPayment('/x402/fx.quote?pair=JPYUSD');
    expect((await paid('/x402/fx.quote?pair=JPYUSD', header)).status).toBe(200);
    const restarted = sellerOf();
    const answer = await restarted.sell({
      offer: restarted.offerFor('fx.quote')!,
      url: `${base}/x402/fx.quote`,
      header,
      work: () => Promise.reject(new Error('the task must not run again')),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outcome: { status: 'succeeded', receipt: { pair: 'JPYUSD' } } });
  });

  it('x402 sell - a sale held for approval when its selling process crashed is settled by the retry on the restarted seller, from the decision record, not answered 202 for ever', async () => {
    let cut = false;
    const guard = (): void => {
      if (cut) throw new Error('connection lost: the process is gone');
    };
    const severed: RailSql = {
      query: async (q, p) => (guard(), t.db.sql.query(q, p)),
      transaction: async (fn) => (guard(), t.db.sql.transaction(fn)),
    };
    const doomed = await createGateway({ runtime, tokens: new TokenStore(), x402: sellerOf(severed) });
    await doomed.listen({ host: '127.0.0.1', port: 0 });
    const doomedBase = `http://127.0.0.1:${(doomed.server.address() as { port: number }).port}`;
    const header = await signedPayment('/x402/fx.deal?deal=EUR-2M');
    const before = await t.balance('USDC', payTo);
    const res = await fetch(`${doomedBase}/x402/fx.deal?deal=EUR-2M`, { headers: { 'payment-signature': header } });
    expect(res.status).toBe(202);
    const { approvalId, decisionId } = (await res.json()) as { approvalId: string; decisionId: string };
    cut = true; // the selling process dies with the sale held; the runtime carries the approved task out
    await runtime.approve(approvalId, human, 'known client');
    for (let i = 0; i < 500 && (await runtime.store!.getDecision(decisionId))?.outcome == null; i++)
      await new Promise((r) => setTimeout(r, 20));
    await doomed.close();
    expect(await t.balance('USDC', payTo)).toBe(before); // nobody settled it
    const later = await paid('/x402/fx.deal?deal=EUR-2M', header);
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({ outcome: { status: 'succeeded', receipt: { deal: 'EUR-2M' } } });
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.50', 6));
    expect((await paid('/x402/fx.deal?deal=EUR-2M', header)).status).toBe(200);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.50', 6));
  });
});
