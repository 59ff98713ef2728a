/**
 * The staking strategy's rail: deposit into and withdraw from an ERC-4626 vault, each an
 * exactly-once EVM rail execution (write-ahead, persisted nonce, kill switch at signing) under the
 * action's idempotency key; the asset approval is its own once-only call (`<key>:approve`).
 */
import { formatUnits, Interface, parseUnits, type JsonRpcApiProvider } from 'ethers';
import type { Amount, PositionValue } from '../../machines/index.ts';
import type { EvmRail } from '../rails/EvmRail.ts';
import type { PaymentReceipt } from '../rails/PaymentReceipt.ts';
import { ensureAllowance, type SwapToken } from '../rails/swapSupport.ts';
import { StrategyActionError } from './errors.ts';
import { addressTopic, byChainOrder, logsOf, PositionScan, type BasisEvent } from './PositionScan.ts';

const VAULT = new Interface([
  'function deposit(uint256 assets, address receiver) returns (uint256 shares)',
  'function withdraw(uint256 assets, address receiver, address owner) returns (uint256 shares)',
  'function balanceOf(address) view returns (uint256)',
  'function convertToAssets(uint256 shares) view returns (uint256)',
  'function maxWithdraw(address owner) view returns (uint256)',
  'event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares)',
  'event Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)',
]);

/** Who acts and under which key. */
export interface StrategyStep {
  readonly idempotencyKey: string;
  readonly agentId: string;
  readonly supervisorIds?: readonly string[];
  /** The placement lease token the act runs under (fenced rails refuse a stale one). */
  readonly fence?: number | undefined;
  /** Decimal amount of the vault's asset. */
  readonly amount: string;
}

/** Options of {@link Erc4626Vault}. */
export interface Erc4626VaultOptions {
  /** The agent's own EVM rail (its wallet holds the asset and the shares). */
  readonly rail: EvmRail;
  readonly provider: JsonRpcApiProvider;
  readonly vault: string;
  readonly asset: SwapToken & { readonly symbol: string };
  /** The block the cost basis is rebuilt from (the vault's deployment). Default 0. */
  readonly fromBlock?: number;
}

/** One vault function call of a strategy step: which function, its arguments, and the purpose its receipt shows. */
interface VaultCall {
  fn: 'deposit' | 'withdraw';
  args: unknown[];
  purpose: string;
}

/** An ERC-4626 vault position of one agent. */
export class Erc4626Vault {
  readonly #o: Erc4626VaultOptions;
  readonly #scan: PositionScan;

  constructor(options: Erc4626VaultOptions) {
    this.#o = options;
    this.#scan = new PositionScan({
      provider: options.provider,
      fromBlock: options.fromBlock ?? 0,
      events: (from, to) => this.#basisEvents(from, to),
    });
  }

  /** The receipt rail name of this vault's steps, and the position's name in valuations. */
  get name(): string {
    return `erc4626:${this.#o.vault.toLowerCase()}`;
  }

  /**
   * The stake valued now (`convertToAssets` of the shares held) against its cost: the assets
   * deposited, less the average cost of what was withdrawn. Rebuilt from the vault's `Deposit`
   * and `Withdraw` events for this wallet, so it survives restarts.
   */
  async valuation(): Promise<PositionValue> {
    await this.#scan.catchUp();
    const { assets } = await this.position();
    const a = this.#o.asset;
    const holdings = [{ asset: a.symbol, amount: formatUnits(assets, a.decimals), price: '1' }];
    return this.#scan.basis.valuation(this.name, a, { value: assets, holdings });
  }

  /** What the withdrawal in transaction `tx` realized against its cost, or undefined when it withdrew nothing. */
  async realizedIn(tx: string): Promise<Amount | undefined> {
    await this.#scan.catchUp();
    return this.#scan.basis.realizedIn(tx, this.#o.asset);
  }

  async #basisEvents(from: number, to: number): Promise<BasisEvent[]> {
    const owner = addressTopic(this.#o.rail.address);
    const [deposits, withdrawals] = await Promise.all([
      logsOf(this.#o.provider, {
        address: this.#o.vault,
        topics: [VAULT.getEvent('Deposit')!.topicHash, null, owner],
        from,
        to,
      }),
      logsOf(this.#o.provider, {
        address: this.#o.vault,
        topics: [VAULT.getEvent('Withdraw')!.topicHash, null, null, owner],
        from,
        to,
      }),
    ]);
    return [...deposits, ...withdrawals].sort(byChainOrder).map((log) => {
      const e = VAULT.parseLog(log)!;
      const deposit = e.name === 'Deposit';
      const at = deposit ? 2 : 3; // Withdraw has a receiver before the owner
      return {
        kind: deposit ? 'add' : 'remove',
        units: e.args[at + 1] as bigint,
        amount: e.args[at] as bigint,
        tx: log.transactionHash,
      };
    });
  }

  /** The agent's shares and what they are worth now, in base units of the asset. */
  async position(): Promise<{ shares: bigint; assets: bigint }> {
    const owner = this.#o.rail.address;
    const shares = (await this.#read('balanceOf', [owner])) as bigint;
    return { shares, assets: shares === 0n ? 0n : ((await this.#read('convertToAssets', [shares])) as bigint) };
  }

  /** Stakes `amount` of the asset (approve once, then `deposit`). */
  async deposit(step: StrategyStep): Promise<PaymentReceipt> {
    const assets = this.#units(step.amount);
    const owner = this.#o.rail.address;
    await ensureAllowance({
      rail: this.#o.rail,
      provider: this.#o.provider,
      owner,
      token: this.#o.asset,
      spender: this.#o.vault,
      amount: assets,
      intent: { ...step, supervisorIds: [...(step.supervisorIds ?? [])] },
      fence: step.fence,
    });
    return this.#call(step, {
      fn: 'deposit',
      args: [assets, owner],
      purpose: `stake ${step.amount} ${this.#o.asset.symbol}`,
    });
  }

  /** Unstakes `amount` of the asset (`withdraw` to the agent's own wallet). */
  async withdraw(step: StrategyStep): Promise<PaymentReceipt> {
    const assets = this.#units(step.amount);
    const owner = this.#o.rail.address;
    const max = (await this.#read('maxWithdraw', [owner])) as bigint;
    if (assets > max)
      throw new StrategyActionError(
        `cannot unstake ${step.amount} ${this.#o.asset.symbol}: the position is worth ${max} base units; unstake at most that`,
      );
    return this.#call(step, {
      fn: 'withdraw',
      args: [assets, owner, owner],
      purpose: `unstake ${step.amount} ${this.#o.asset.symbol}`,
    });
  }

  #call(step: StrategyStep, { fn, args, purpose }: VaultCall): Promise<PaymentReceipt> {
    const data = VAULT.encodeFunctionData(fn, args);
    return this.#o.rail.execute(
      {
        kind: 'call',
        idempotencyKey: step.idempotencyKey,
        agentId: step.agentId,
        supervisorIds: [...(step.supervisorIds ?? [])],
        to: this.#o.vault,
        value: '0',
        data,
        purpose,
      },
      {
        receiptRail: this.name,
        fence: step.fence,
        build: async () => ({ to: this.#o.vault, value: 0n, data }),
      },
    );
  }

  #units(amount: string): bigint {
    let v: bigint;
    try {
      v = parseUnits(amount, this.#o.asset.decimals);
    } catch (cause) {
      throw new StrategyActionError(
        `amount "${amount}" is not a decimal with at most ${this.#o.asset.decimals} digits`,
        { cause },
      );
    }
    if (v <= 0n) throw new StrategyActionError(`amount "${amount}" must be positive`);
    return v;
  }

  async #read(fn: string, args: unknown[]): Promise<unknown> {
    const out = (await this.#o.provider.send('eth_call', [
      { to: this.#o.vault, data: VAULT.encodeFunctionData(fn, args) },
      'latest',
    ])) as string;
    return VAULT.decodeFunctionResult(fn, out)[0];
  }
}
