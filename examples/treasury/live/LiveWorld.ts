import { readFile } from 'node:fs/promises';
import { formatUnits } from 'ethers';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  createPaymentActuator,
  createPaymentExecutor,
  createRailPool,
  createTreasuryStrategyActuator,
  PaymentActionError,
  Erc4626Vault,
  pgRailSql,
  type SanePriceFeed,
  type SafePaymentRail,
  UniswapV2Liquidity,
  UniswapV2SwapRail,
  type Actuator,
  type EvmRail,
} from 'mandate/actors';
import type { ChainConnection, MandateRuntime } from 'mandate';
import { ErrorCode } from 'mandate/kernel';
import { LiveSetupError } from '../errors.ts';
import { bandsOf, type Invoice } from '../TreasurySimulation.ts';
import { strategyFacts, type NextInvoice, type StrategyFacts, type TreasuryWorld } from '../TreasuryWorld.ts';
import { openAgentRail, type AgentLimits } from './agentRails.ts';
import { openPayablesSafe } from './approvers.ts';
import { openBankRail, OPERATING_IBAN } from './bankRail.ts';
import { tokenBalance } from './erc20.ts';
import { InvoiceBook } from './InvoiceBook.ts';
import { eurUsdPrices } from './eurUsdPrices.ts';
import type { LiveCaches } from './LiveCaches.ts';

const payeeFile = z.strictObject({
  payees: z.record(
    z.string(),
    z.strictObject({
      name: z.string().min(1),
      iban: z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/),
      address: z
        .string()
        .regex(/^0x[0-9a-fA-F]{40}$/)
        .optional(),
    }),
  ),
});

type BankRail = Awaited<ReturnType<typeof openBankRail>>;

/** governance.yaml's large-payment threshold: above it the payables Safe pays. */
const APPROVAL_THRESHOLD = 10_000;

/** The keep-liquid floor of the strategist, in USDC. */
const LIQUID_FLOOR = '20000';

/**
 * The live world: facts from the chain (each agent's own wallet balances, the EURUSD feed checked
 * against the pool, vault and pool positions) and effects through the rails — USDC from the
 * payables agent's wallet, swaps on the pool from the FX rebalancer's, strategies from the
 * strategist's, EUR by SEPA through the sandbox bank.
 */
export class LiveWorld implements TreasuryWorld {
  readonly pay: Actuator;
  readonly swap: Actuator;
  readonly strategies: Actuator;
  readonly #chain: ChainConnection;
  readonly #runtime: MandateRuntime;
  readonly #book: InvoiceBook;
  readonly #prices: SanePriceFeed;
  readonly #pool: pg.Pool;
  readonly #rails: Map<string, EvmRail>;
  readonly #bank: BankRail;
  readonly #strategy: { vault: Erc4626Vault; liquidity: UniswapV2Liquidity } | undefined;
  readonly #safeAddress: string;

  private constructor(parts: {
    chain: ChainConnection;
    runtime: MandateRuntime;
    book: InvoiceBook;
    pool: pg.Pool;
    bank: BankRail;
    rails: Map<string, EvmRail>;
    payees: z.infer<typeof payeeFile>['payees'];
    multisig: SafePaymentRail;
    safeAddress: string;
    caches: LiveCaches;
  }) {
    this.#chain = parts.chain;
    this.#runtime = parts.runtime;
    this.#book = parts.book;
    this.#pool = parts.pool;
    this.#bank = parts.bank;
    this.#rails = parts.rails;
    this.#safeAddress = parts.safeAddress;
    const c = parts.chain.contracts;
    const USDC = { symbol: 'USDC', address: c.tokens.USDC!, decimals: 6 };
    const EURC = { symbol: 'EURC', address: c.tokens.EURC!, decimals: 6 };
    const provider = parts.chain.provider();
    this.#prices = eurUsdPrices(parts.chain, parts.runtime, parts.caches);
    const payables = this.#rail('payables');
    this.pay = createPaymentActuator({
      name: 'treasury.pay',
      executor: createPaymentExecutor({ crypto: payables, fiat: parts.bank.rail }),
      // Invoices governance holds for approval are paid from the Safe once two approvers signed.
      multisig: parts.multisig,
      payee: async (cp) => {
        const p = parts.payees[cp];
        if (p === undefined)
          throw new PaymentActionError(`No payee details for counterparty "${cp}"; add it to payees.yaml.`, {
            details: { counterparty: cp },
          });
        return p.address !== undefined
          ? { kind: 'crypto', address: p.address }
          : { kind: 'fiat', name: p.name, iban: p.iban };
      },
    });
    const fx = this.#rail('fx-rebalancer');
    this.swap = createPaymentActuator({
      name: 'treasury.swap',
      executor: createPaymentExecutor({
        swap: new UniswapV2SwapRail({
          rail: fx,
          provider,
          chainId: parts.chain.chainId,
          router: c.uniswap.router,
          tokens: { USDC, EURC },
        }),
      }),
      payee: async () => Promise.reject(new Error('swaps have no payee')),
    });
    const strategist = this.#rail('treasury-strategist');
    this.#strategy = {
      vault: new Erc4626Vault({ rail: strategist, provider, vault: c.vaults.USDC!, asset: USDC }),
      liquidity: new UniswapV2Liquidity({
        rail: strategist,
        provider,
        router: c.uniswap.router,
        pair: c.pools['USDC/EURC']!,
        tokenA: USDC,
        tokenB: EURC,
      }),
    };
    this.strategies = createTreasuryStrategyActuator({
      ...this.#strategy,
      floor: {
        asset: 'USDC',
        decimals: 6,
        min: LIQUID_FLOOR,
        balance: async () => BigInt(Math.round((await this.#usdc('treasury-strategist')) * 1e6)),
      },
    });
  }

  /** Opens the rails of every transacting agent (limits from their YAML) and the persisted invoice queue. */
  static async open(o: {
    runtime: MandateRuntime;
    chain: ChainConnection;
    invoices: readonly Invoice[];
    payeesPath: string;
    bookPath: string;
    limits: ReadonlyMap<string, AgentLimits>;
    /** The payables agent's Safe and its approvers (principal → address). */
    safe: { address: string; approvers: Record<string, string> };
    /** The CLI's caches (Redis with `REDIS_URL`); none by default. */
    caches?: LiveCaches;
  }): Promise<LiveWorld> {
    const databaseUrl = o.runtime.store?.databaseUrl;
    if (databaseUrl === undefined)
      throw new LiveSetupError(
        'the live treasury needs a database for its rails; run it with the embedded database or DATABASE_URL',
      );
    const { payees } = payeeFile.parse(parseYaml(await readFile(o.payeesPath, 'utf8')));
    // A dropped connection (database restart, network reset) must not take the process down mid-payment.
    const pool = createRailPool(databaseUrl, {
      onError: (e) =>
        o.runtime.alert({
          severity: 'warning',
          code: ErrorCode.MANDATE_ERR_STORE_UNAVAILABLE,
          message: `rail ledger connection lost: ${e.message}`,
        }),
    });
    const sql = pgRailSql(pool);
    const rails = new Map<string, EvmRail>();
    for (const agentId of ['payables', 'fx-rebalancer', 'treasury-strategist'])
      rails.set(
        agentId,
        await openAgentRail({
          runtime: o.runtime,
          chain: o.chain,
          sql,
          agentId,
          limits: o.limits.get(agentId) ?? {},
          receiptCache: o.caches?.receipts,
        }),
      );
    const bank = await openBankRail(o.runtime, pool);
    const multisig = await openPayablesSafe({
      ...o,
      sql,
      rail: rails.get('payables')!,
      payeeAddress: (cp) => payees[cp]?.address,
    });
    return new LiveWorld({
      chain: o.chain,
      runtime: o.runtime,
      book: new InvoiceBook(o.bookPath, o.invoices),
      pool,
      bank,
      rails,
      payees,
      multisig,
      safeAddress: o.safe.address,
      caches: o.caches ?? {},
    });
  }

  async gas(): Promise<number> {
    const fee = await this.#chain.provider().getFeeData();
    return Math.round(Number(formatUnits(fee.gasPrice ?? 0n, 'gwei')) * 10) / 10;
  }

  async fx(): Promise<Record<string, number>> {
    const sane = await this.#prices.read('EUR/USD');
    return { EURUSD: Math.round(Number(formatUnits(sane.price, 18)) * 10_000) / 10_000 };
  }

  async balances(agentId: string): Promise<Record<string, number>> {
    const p = this.#chain.provider();
    const who = this.#chain.walletOf(agentId);
    const out: Record<string, number> = {};
    for (const [symbol, token] of Object.entries(this.#chain.contracts.tokens))
      out[symbol] = await tokenBalance(p, token, who);
    out.ETH = Number(formatUnits(await p.getBalance(who), 18));
    return out;
  }

  async bands(agentId: string): Promise<{ eurShare: number; eurExcess: string }> {
    const b = await this.balances(agentId);
    const { EURUSD } = await this.fx();
    // Keep one trade's price impact inside the 1% bound: at most 0.6% of the pool's EURC.
    const poolEurc = await tokenBalance(
      this.#chain.provider(),
      this.#chain.contracts.tokens.EURC!,
      this.#chain.contracts.pools['USDC/EURC']!,
    );
    return bandsOf({ usdc: b.USDC ?? 0, eurc: b.EURC ?? 0, eurusd: EURUSD!, maxSell: Math.floor(poolEurc * 0.006) });
  }

  async nextInvoice(): Promise<NextInvoice> {
    const inv = this.#book.next();
    if (inv === undefined) return { due: false };
    // Above the approval threshold the Safe pays; below it the agent's own wallet.
    const usdc = this.#chain.contracts.tokens.USDC!;
    const available =
      inv.currency === 'EUR'
        ? Number(formatUnits(this.#bank.bank.balance(OPERATING_IBAN), 2))
        : Number(inv.amount) > APPROVAL_THRESHOLD
          ? await tokenBalance(this.#chain.provider(), usdc, this.#safeAddress)
          : await this.#usdc('payables');
    return { ...inv, due: true, funded: available >= Number(inv.amount) };
  }

  async strategy(agentId: string): Promise<StrategyFacts> {
    const s = this.#strategy!;
    const [liquid, vault, lp, poolAprBps, { EURUSD }] = await Promise.all([
      this.#usdc(agentId),
      s.vault.position(),
      s.liquidity.position(),
      s.liquidity.feeAprBps(),
      this.fx(),
    ]);
    const supplyShare = lp.shareBps / 10_000;
    const liquidity =
      (Number(formatUnits(lp.reserveA, 6)) + Number(formatUnits(lp.reserveB, 6)) * EURUSD!) * supplyShare;
    return strategyFacts({
      liquid,
      staked: Number(formatUnits(vault.assets, 6)),
      liquidity: Math.round(liquidity * 100) / 100,
      poolAprBps,
    });
  }

  async settle(invoiceId: string, reference: string | undefined): Promise<void> {
    this.#book.settle(invoiceId, reference, new Date(this.#runtime.clock.now()));
  }

  async close(): Promise<void> {
    this.#bank.close();
    await this.#pool.end();
  }

  async #usdc(agentId: string): Promise<number> {
    return tokenBalance(this.#chain.provider(), this.#chain.contracts.tokens.USDC!, this.#chain.walletOf(agentId));
  }

  #rail(agentId: string): EvmRail {
    return this.#rails.get(agentId)!;
  }
}
