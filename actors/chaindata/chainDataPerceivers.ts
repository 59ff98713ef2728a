/**
 * Perceivers over indexed chain data: facts an agent's rules can read, in plain JSON (amounts as
 * exact decimal strings beside a float `value` for thresholds). Tokens are named by the contract
 * addresses the designer maps, never by the indexer's ticker symbol, which anyone can spoof.
 */
import type { Perceiver } from '../Actuator.ts';
import type { CovalentSource, TokenTransfer } from './CovalentSource.ts';
import { ChainDataInvalidError } from './errors.ts';
import type { EntityQuery, SubgraphSource } from './SubgraphSource.ts';

/** `units` of a token with `decimals` as an exact decimal string: `unitsToDecimal(1500000n, 6)` is `"1.5"`. */
export function unitsToDecimal(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
}

/**
 * Reads each entity list of `facts` from one subgraph, all pinned to the indexer's current head
 * (one consistent snapshot), into the fact of its name; the head goes to `indexedBlock`.
 *
 * @example
 * plugins.perceiver('chain.receipts', subgraphPerceiver(new SubgraphSource({ url }), {
 *   receipts: { entity: 'transfers', fields: 'from value timestamp', where: { to: treasury } },
 * })); // facts: { receipts: [{ id, from, value, timestamp }, …], indexedBlock: { number, timestamp } }
 */
export function subgraphPerceiver(source: SubgraphSource, facts: Readonly<Record<string, EntityQuery>>): Perceiver {
  const entries = Object.entries(facts);
  return async () => {
    const block = await source.head();
    const lists = await Promise.all(entries.map(([, q]) => source.list(q, block)));
    return {
      ...Object.fromEntries(entries.map(([fact], i) => [fact, lists[i]])),
      indexedBlock: { number: block.number, timestamp: new Date(block.timestamp).toISOString(), source: source.name },
    };
  };
}

/** What {@link covalentPerceiver} reads for one holder. */
export interface CovalentFacts {
  /** The address whose balances and transfers are read. */
  readonly holder: string;
  /** Fact name → token contract address, e.g. `{ USDC: '0xa0b8…' }`. Only these tokens are read. */
  readonly tokens: Readonly<Record<string, string>>;
  /** Fact that receives `{ <token name>: { balance, value, decimals, contract } }`; default `chainBalances`. */
  readonly balancesFact?: string;
  /** Also read these tokens' transfers into `<token name>Transfers` facts (newest first). */
  readonly transfersOf?: readonly string[];
  readonly maxPages?: number;
}

/** A JSON view of one transfer. */
function transferFact(t: TokenTransfer) {
  const amount = unitsToDecimal(t.amount, t.decimals);
  return {
    txHash: t.txHash,
    blockHeight: t.blockHeight,
    at: new Date(t.at).toISOString(),
    successful: t.successful,
    direction: t.direction,
    from: t.from,
    to: t.to,
    amount,
    value: Number(amount),
  };
}

/**
 * Reads `spec.holder`'s balances of the mapped tokens (a mapped token the indexer does not list
 * has balance 0) and, optionally, their transfers.
 */
export function covalentPerceiver(source: CovalentSource, spec: CovalentFacts): Perceiver {
  const tokens = Object.entries(spec.tokens).map(([name, contract]) => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(contract))
      throw new ChainDataInvalidError(
        `tokens.${name} is ${JSON.stringify(contract)}, not a 0x-prefixed 20-byte address`,
      );
    return [name, contract.toLowerCase()] as const;
  });
  if (tokens.length === 0)
    throw new ChainDataInvalidError('tokens is empty; map at least one name to a token contract');
  const transfersOf = (spec.transfersOf ?? []).map((name) => {
    const contract = spec.tokens[name];
    if (contract === undefined)
      throw new ChainDataInvalidError(
        `transfersOf names ${JSON.stringify(name)}, which is not in tokens (${Object.keys(spec.tokens).join(', ')})`,
      );
    return [name, contract] as const;
  });
  return async () => {
    const { items, updatedAt } = await source.balances(spec.holder);
    const byContract = new Map(items.map((i) => [i.contract, i]));
    const balances = Object.fromEntries(
      tokens.map(([name, contract]) => {
        const item = byContract.get(contract);
        const balance = item === undefined ? '0' : unitsToDecimal(item.balance, item.decimals);
        return [name, { balance, value: Number(balance), decimals: item?.decimals ?? null, contract }];
      }),
    );
    const facts: Record<string, unknown> = {
      [spec.balancesFact ?? 'chainBalances']: balances,
      chainDataUpdatedAt: new Date(updatedAt).toISOString(),
    };
    for (const [name, contract] of transfersOf) {
      const list = await source.transfers({ holder: spec.holder, token: contract, maxPages: spec.maxPages });
      facts[`${name}Transfers`] = list.map(transferFact);
    }
    return facts;
  };
}
