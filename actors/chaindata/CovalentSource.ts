/**
 * Indexed on-chain data from a Covalent (GoldRush) style REST API:
 * `GET /v1/{chainName}/address/{address}/balances_v2/` and `…/transfers_v2/?contract-address=…
 * &page-number=N&page-size=M`, answering `{ data: { updated_at, items, pagination? }, error,
 * error_message, error_code }` with a bearer key. Answers are validated (addresses, integer
 * amounts, decimals), refused when older than allowed (the oracles' staleness rule), and paged
 * to the end or refused as truncated, never returned partial.
 */
import { z } from 'zod';
import type { Clock } from '../../kernel/index.ts';
import {
  ChainDataInvalidError,
  ChainDataStaleError,
  ChainDataTruncatedError,
  ChainDataUnavailableError,
} from './errors.ts';
import { requestJson, type IndexerHttpOptions } from './requestJson.ts';

/** Options of {@link CovalentSource}. */
export interface CovalentSourceOptions extends IndexerHttpOptions {
  /** The API's base URL (the part before `/v1/`). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; read it from the environment, never from YAML. */
  readonly apiKey: string;
  /** The API's chain name, e.g. `eth-mainnet`, `base-mainnet`. */
  readonly chainName: string;
  /** Oldest `updated_at` accepted; default 10 minutes. */
  readonly maxAgeMs?: number;
  readonly clock?: Pick<Clock, 'now'>;
}

/** One token balance. */
export interface TokenBalance {
  readonly contract: string;
  readonly symbol: string;
  readonly decimals: number;
  /** In the token's smallest unit. */
  readonly balance: bigint;
  readonly native: boolean;
  readonly spam: boolean;
}

/** One token movement of the address. */
export interface TokenTransfer {
  readonly txHash: string;
  readonly blockHeight: number;
  /** Epoch milliseconds of the block. */
  readonly at: number;
  readonly successful: boolean;
  readonly from: string;
  readonly to: string;
  /** In the token's smallest unit, always positive; {@link TokenTransfer.direction} says which way. */
  readonly amount: bigint;
  readonly direction: 'IN' | 'OUT';
  readonly contract: string;
  readonly decimals: number;
  readonly symbol: string;
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const units = z.string().regex(/^\d+$/, 'an unsigned integer string');
const decimals = z.number().int().min(0).max(77);
/** The API's answer around its `data`. */
interface Envelope<T> {
  data?: T | null | undefined;
  error?: boolean | undefined;
  error_message?: string | null | undefined;
  error_code?: number | string | null | undefined;
}
const envelope = <T extends z.ZodType>(data: T) =>
  z.object({
    data: data.nullish(),
    error: z.boolean().optional(),
    error_message: z.string().nullish(),
    error_code: z.union([z.number(), z.string()]).nullish(),
  });
const BalanceItem = z.object({
  contract_address: address,
  contract_ticker_symbol: z.string().nullish(),
  contract_decimals: decimals,
  balance: units,
  native_token: z.boolean().optional(),
  is_spam: z.boolean().optional(),
});
const Balances = envelope(z.object({ updated_at: z.string().datetime({ offset: true }), items: z.array(BalanceItem) }));
const TransferItem = z.object({
  block_signed_at: z.string().datetime({ offset: true }),
  block_height: z.number().int().nonnegative(),
  tx_hash: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  successful: z.boolean(),
  transfers: z.array(
    z.object({
      from_address: address,
      to_address: address,
      delta: units,
      transfer_type: z.enum(['IN', 'OUT']),
      contract_address: address,
      contract_decimals: decimals,
      contract_ticker_symbol: z.string().nullish(),
    }),
  ),
});
const Transfers = envelope(
  z.object({
    updated_at: z.string().datetime({ offset: true }),
    items: z.array(TransferItem),
    pagination: z.object({ has_more: z.boolean(), page_number: z.number().int().nonnegative() }).nullish(),
  }),
);

/** A Covalent-style indexer for one chain. */
export class CovalentSource {
  readonly #o: CovalentSourceOptions;

  constructor(options: CovalentSourceOptions) {
    if (!/^[a-z0-9-]+$/.test(options.chainName))
      throw new ChainDataInvalidError(`chainName ${JSON.stringify(options.chainName)} must be like "eth-mainnet"`);
    this.#o = options;
  }

  /** Every token balance of `holder`, spam included (each flagged). */
  async balances(holder: string): Promise<{ updatedAt: number; items: TokenBalance[] }> {
    const data = await this.#get(Balances, `address/${checkAddress(holder)}/balances_v2/`, {});
    return {
      updatedAt: this.#fresh(data.updated_at),
      items: data.items.map((i) => ({
        contract: i.contract_address.toLowerCase(),
        symbol: i.contract_ticker_symbol ?? '',
        decimals: i.contract_decimals,
        balance: BigInt(i.balance),
        native: i.native_token ?? false,
        spam: i.is_spam ?? false,
      })),
    };
  }

  /** Every transfer of `token` to or from `holder`, newest first, paged to the end (at most `maxPages`). */
  async transfers(q: {
    holder: string;
    token: string;
    pageSize?: number;
    maxPages?: number;
  }): Promise<TokenTransfer[]> {
    const pageSize = q.pageSize ?? 100;
    const maxPages = q.maxPages ?? 10;
    const out = new Map<string, TokenTransfer[]>();
    for (let page = 0; page < maxPages; page += 1) {
      const data = await this.#get(Transfers, `address/${checkAddress(q.holder)}/transfers_v2/`, {
        'contract-address': checkAddress(q.token),
        'page-number': String(page),
        'page-size': String(pageSize),
      });
      if (page === 0) this.#fresh(data.updated_at);
      // A transfer landing between pages shifts the list: a repeated tx is the same movement.
      for (const item of data.items) if (!out.has(item.tx_hash)) out.set(item.tx_hash, toTransfers(item));
      if (data.pagination?.has_more !== true) return [...out.values()].flat();
    }
    throw new ChainDataTruncatedError(
      `transfers of ${q.token} for ${q.holder} on ${this.#o.chainName} span more than ${maxPages} pages of ${pageSize}; raise maxPages`,
      { details: { chain: this.#o.chainName, maxPages, pageSize } },
    );
  }

  async #get<T>(schema: z.ZodType<Envelope<T>>, path: string, query: Record<string, string>): Promise<T> {
    const base = this.#o.baseUrl.endsWith('/') ? this.#o.baseUrl : `${this.#o.baseUrl}/`;
    const url = new URL(`v1/${this.#o.chainName}/${path}`, base);
    url.search = new URLSearchParams(query).toString();
    const source = `covalent ${this.#o.chainName}`;
    const body = await requestJson({ source, url, headers: { authorization: `Bearer ${this.#o.apiKey}` } }, this.#o);
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new ChainDataInvalidError(
        `${source} answered ${path} with data that fails validation: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
        { details: { source, path } },
      );
    const { data, error, error_message: message, error_code: code } = parsed.data;
    if (error === true || data === undefined || data === null)
      throw new ChainDataUnavailableError(
        `${source} answered ${path} with an error${code === undefined || code === null ? '' : ` ${code}`}: ${message ?? 'no message'}`,
        { details: { source, path, errorCode: code ?? undefined } },
      );
    return data;
  }

  #fresh(updatedAt: string): number {
    const at = Date.parse(updatedAt);
    const age = (this.#o.clock?.now() ?? Date.now()) - at;
    const maxAge = this.#o.maxAgeMs ?? 600_000;
    if (age > maxAge)
      throw new ChainDataStaleError(
        `covalent ${this.#o.chainName} data was updated ${Math.round(age / 1000)} s ago (allowed ${Math.round(maxAge / 1000)} s)`,
        { details: { chain: this.#o.chainName, ageMs: age } },
      );
    return at;
  }
}

function checkAddress(value: string): string {
  if (!address.safeParse(value).success)
    throw new ChainDataInvalidError(`${JSON.stringify(value)} is not a 0x-prefixed 20-byte address`);
  return value;
}

function toTransfers(item: z.output<typeof TransferItem>): TokenTransfer[] {
  return item.transfers.map((t) => ({
    txHash: item.tx_hash,
    blockHeight: item.block_height,
    at: Date.parse(item.block_signed_at),
    successful: item.successful,
    from: t.from_address.toLowerCase(),
    to: t.to_address.toLowerCase(),
    amount: BigInt(t.delta),
    direction: t.transfer_type,
    contract: t.contract_address.toLowerCase(),
    decimals: t.contract_decimals,
    symbol: t.contract_ticker_symbol ?? '',
  }));
}
