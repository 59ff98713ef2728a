/**
 * A seller killed between its task and its settle, and the restarted gateway that finds the sale:
 * the embedded chain's EIP-3009 USDC, the x402 packages' facilitator over HTTP
 * (`x402Facilitator.ts`), payments signed by the packages' client, and a runtime whose one agent
 * counts its runs (a retry must never run the task again). The doomed process severs its own
 * database access and hangs where it dies, the way `x402SaleScanAtStart.test.ts` kills one.
 */
import { x402Client } from '@x402/core/client';
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import { HTTPFacilitatorClient, type FacilitatorClient } from '@x402/core/server';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { Contract, Wallet } from 'ethers';
import type { FastifyInstance } from 'fastify';
import { privateKeyToAccount } from 'viem/accounts';
import { X402Seller, type Decider, type SaleAudit, type X402Offer } from '../../actors/index.ts';
import type { RailSql } from '../../actors/rails/RailSql.ts';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../../runtime/index.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from './embeddedTreasury.ts';
import { startHttpFacilitator, type HttpFacilitator } from './x402Facilitator.ts';

/** The capability on sale, its price, and what its task answers. */
export const CAPABILITY = 'data.report';
export const PRICE = '0.04';
export const REPORT = { report: 'Q4 volumes' };

/** How the seller's process dies: before its settle reaches the facilitator, or after the facilitator settled. */
export type Death = 'before-settle' | 'after-settle';

/** Options of a seller: its clock ahead of real time, and whether its chain answers. */
export interface SellerChoice {
  aheadMs?: number;
  chainUp?: () => boolean;
}

/** See the file comment. */
export interface SettleFixture {
  readonly t: EmbeddedTreasury;
  readonly facilitator: HttpFacilitator;
  readonly payTo: string;
  /** Runs of the governed task on the restarted gateways. */
  runs(): number;
  /** Every audit entry the sellers wrote, and every alert they raised. */
  readonly audits: SaleAudit[];
  readonly alerts: Array<{ code: string; message: string }>;
  sellerOf(sql: RailSql, choice?: SellerChoice): X402Seller;
  /** A payment for the capability, signed by the raw x402 client. */
  payment(): Promise<string>;
  /** Sells `header` on a process that dies as `death` says; the id of the sale it leaves behind. */
  crash(header: string, death: Death): Promise<string>;
  /** A gateway over `seller` (the restarted process), listening: its start-up scan has run. */
  gateway(seller: X402Seller): Promise<{ app: FastifyInstance; base: string }>;
  buy(base: string, header: string): Promise<{ status: number; body: unknown; headers: Headers }>;
  /** The sale as stored, read from the database. */
  row(id: string): Promise<{ status: string; result: Record<string, unknown> | null }>;
  /** The token's `authorizationState` of the sale's authorization. */
  used(id: string): Promise<boolean>;
  /** The audit actions of the sale of `id`, in order. */
  actionsOf(id: string): string[];
  close(): Promise<void>;
}

/** A database handle that can be cut: after `sever()` every query fails, as for a process that died. */
function severable(sql: RailSql): RailSql & { sever(): void } {
  let cut = false;
  const guard = (): void => {
    if (cut) throw new Error('connection lost: the process is gone');
  };
  return {
    sever: () => void (cut = true),
    query: async (q, p) => (guard(), sql.query(q, p)),
    transaction: async (fn) => (guard(), sql.transaction(fn)),
  };
}

const hang = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** Starts the chain, the facilitator, the buyer and the restarted process's runtime. */
export async function startSettleFixture(): Promise<SettleFixture> {
  const t = await startEmbeddedTreasury();
  const usdc = t.chain.contracts.tokens.USDC!;
  const token = new Contract(
    usdc,
    ['function authorizationState(address, bytes32) view returns (bool)'],
    t.chain.provider(),
  );
  const authorizationState = async (payer: string, nonce: string) =>
    (await token.getFunction('authorizationState')(payer, nonce)) as boolean;
  const payTo = Wallet.createRandom().address;
  const key = Wallet.createRandom();
  await t.fund(key.address, {});
  const facilitator = await startHttpFacilitator({
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    facilitatorKey: key.privateKey as `0x${string}`,
  });
  const buyer = Wallet.createRandom();
  await t.fund(buyer.address, { usdc: '10' });
  const client = x402Client.fromConfig({
    schemes: [],
    spendControls: { allowedAssets: [{ network: `eip155:${t.chain.chainId}`, asset: usdc }] },
  });
  registerExactEvmScheme(client, { signer: privateKeyToAccount(buyer.privateKey as `0x${string}`) });
  const runtime: MandateRuntime = await createRuntime();
  let runs = 0;
  const decide: Decider = {
    async decide() {
      const action = { type: 'data.answer', capability: CAPABILITY, account: 'data', params: {} };
      return { action, confidence: 1, rationale: 'answer', rulesFired: ['answer'], model: null };
    },
  };
  await runtime.spawn(
    defineAgent({
      id: 'reporter',
      capabilities: [CAPABILITY],
      permissions: [{ capability: CAPABILITY, accounts: ['data'] }],
      perceive: () => ({}),
      decide,
      act: {
        name: 'data',
        effect: 'internal',
        execute: async () => (runs++, { status: 'succeeded', receipt: REPORT }),
      },
    }),
  );
  const offer: X402Offer = {
    capability: CAPABILITY,
    price: PRICE,
    asset: { chainId: t.chain.chainId, address: usdc, symbol: 'USDC', decimals: 6, name: 'USD Coin', version: '2' },
    payTo,
  };
  const audits: SaleAudit[] = [];
  const alerts: Array<{ code: string; message: string }> = [];
  const http = (): FacilitatorClient => new HTTPFacilitatorClient({ url: facilitator.url, timeoutMs: 5_000 });
  const sellerOn = (sql: RailSql, choice: SellerChoice, facilitatorClient: FacilitatorClient) =>
    new X402Seller({
      sql,
      facilitator: facilitatorClient,
      offers: [offer],
      audit: async (e) => void audits.push(e),
      authorizationUsed: async (payer, nonce) => {
        if (choice.chainUp?.() === false) throw new Error('connect ECONNREFUSED: the chain is down');
        return authorizationState(payer, nonce);
      },
      alert: (a) => void alerts.push(a),
      now: () => new Date(Date.now() + (choice.aheadMs ?? 0)),
      heartbeatMs: 50,
      staleAfterMs: 400,
    });
  const nonceOf = (id: string) => id.split(':').at(-1)!;
  return {
    t,
    facilitator,
    payTo,
    runs: () => runs,
    audits,
    alerts,
    sellerOf: (sql, choice = {}) => sellerOn(sql, choice, http()),
    async payment() {
      const required = sellerOn(t.db.sql, {}, http()).paymentRequired(offer, `http://127.0.0.1/x402/${CAPABILITY}`);
      const decoded = decodePaymentRequiredHeader(required.headers['payment-required']!);
      return encodePaymentSignatureHeader(await client.createPaymentPayload(decoded));
    },
    async crash(header, death) {
      const sql = severable(t.db.sql);
      const real = http();
      let settleReached = false;
      const dying: FacilitatorClient = {
        verify: (p, r) => real.verify(p, r),
        getSupported: () => real.getSupported(),
        settle: async (p, r) => {
          if (death === 'after-settle') await real.settle(p, r);
          settleReached = true;
          sql.sever(); // the process dies here: the settle's outcome is never recorded
          return hang();
        },
      };
      const doomed = sellerOn(sql, {}, dying);
      const url = `http://127.0.0.1/x402/${CAPABILITY}`;
      void doomed.sell({ offer, url, header, work: async () => ({ kind: 'delivered', body: REPORT }) });
      for (let i = 0; i < 500 && !settleReached; i++) await new Promise((r) => setTimeout(r, 10));
      if (!settleReached) throw new Error('the doomed seller never reached its settle');
      const rows = await t.db.sql.query(
        `SELECT id FROM rail_x402_sales WHERE capability = $1 ORDER BY created_at DESC LIMIT 1`,
        [CAPABILITY],
      );
      await new Promise((r) => setTimeout(r, 600)); // the dead process's settle goes stale (staleAfterMs 400)
      return rows[0]!.id as string;
    },
    async gateway(seller) {
      const app = await createGateway({ runtime, tokens: new TokenStore(), x402: seller });
      await app.listen({ host: '127.0.0.1', port: 0 });
      return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
    },
    async buy(base, header) {
      const res = await fetch(`${base}/x402/${CAPABILITY}`, { headers: { 'payment-signature': header } });
      return { status: res.status, body: (await res.json()) as unknown, headers: res.headers };
    },
    async row(id) {
      const [r] = await t.db.sql.query(`SELECT status, result FROM rail_x402_sales WHERE id = $1`, [id]);
      return { status: r!.status as string, result: r!.result as Record<string, unknown> | null };
    },
    used: (id) => authorizationState(id.split(':')[2]!, nonceOf(id)),
    actionsOf: (id) => audits.filter((a) => a.data.nonce === nonceOf(id)).map((a) => a.action),
    async close() {
      await runtime.shutdown();
      await facilitator.close();
      await t.close();
    },
  };
}
