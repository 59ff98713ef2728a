/**
 * Reads Chainlink price feeds on chain through the AggregatorV3Interface
 * (`latestRoundData`, `decimals`), validating the round before use.
 */
import { Interface, type JsonRpcApiProvider } from 'ethers';
import { z } from 'zod';
import { OracleDataError, OracleUnavailableError } from './errors.ts';
import { PRICE_DECIMALS, type Oracle, type PriceObservation } from './Oracle.ts';

const AGGREGATOR_V3 = new Interface([
  'function decimals() view returns (uint8)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
]);

const Round = z.object({
  roundId: z.bigint().positive(),
  answer: z.bigint().positive('answer must be positive'),
  updatedAt: z.bigint().positive('updatedAt must be set (0 means the round is incomplete)'),
  answeredInRound: z.bigint(),
});

/** Options of {@link ChainlinkOracle}. */
export interface ChainlinkOracleOptions {
  readonly provider: JsonRpcApiProvider;
  /** Feed address by pair, e.g. `{ 'ETH/USD': '0x5f4e…' }`. */
  readonly feeds: Readonly<Record<string, string>>;
}

/** An {@link Oracle} over Chainlink AggregatorV3 feeds. */
export class ChainlinkOracle implements Oracle {
  readonly name = 'chainlink';
  readonly #o: ChainlinkOracleOptions;
  readonly #decimals = new Map<string, number>();

  constructor(options: ChainlinkOracleOptions) {
    this.#o = options;
  }

  async read(pair: string): Promise<PriceObservation> {
    const feed = this.#o.feeds[pair];
    if (feed === undefined)
      throw new OracleUnavailableError(
        `no Chainlink feed configured for "${pair}"; add its aggregator address to feeds`,
      );
    let decoded: { roundId: bigint; answer: bigint; updatedAt: bigint; answeredInRound: bigint };
    let decimals: number;
    try {
      decimals = this.#decimals.get(feed) ?? Number((await this.#call(feed, 'decimals'))[0]);
      this.#decimals.set(feed, decimals);
      const r = await this.#call(feed, 'latestRoundData');
      decoded = {
        roundId: r[0] as bigint,
        answer: r[1] as bigint,
        updatedAt: r[3] as bigint,
        answeredInRound: r[4] as bigint,
      };
    } catch (cause) {
      throw new OracleUnavailableError(
        `Chainlink feed ${feed} (${pair}) could not be read: ${(cause as Error).message.slice(0, 200)}`,
        { cause },
      );
    }
    const round = Round.safeParse(decoded);
    if (!round.success)
      throw new OracleDataError(
        `Chainlink feed ${feed} (${pair}) returned an unusable round: ${round.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    if (round.data.answeredInRound < round.data.roundId)
      throw new OracleDataError(
        `Chainlink feed ${feed} (${pair}) answer is carried over from round ${round.data.answeredInRound} < ${round.data.roundId}; the feed has not updated, wait for a fresh round or use another source`,
      );
    const price =
      decimals <= PRICE_DECIMALS
        ? round.data.answer * 10n ** BigInt(PRICE_DECIMALS - decimals)
        : round.data.answer / 10n ** BigInt(decimals - PRICE_DECIMALS);
    return { pair, price, updatedAt: new Date(Number(round.data.updatedAt) * 1000), source: `chainlink:${feed}` };
  }

  async #call(to: string, fn: 'decimals' | 'latestRoundData') {
    return AGGREGATOR_V3.decodeFunctionResult(
      fn,
      (await this.#o.provider.send('eth_call', [
        { to, data: AGGREGATOR_V3.encodeFunctionData(fn, []) },
        'latest',
      ])) as string,
    );
  }
}
