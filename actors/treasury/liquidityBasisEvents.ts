import { Interface, type JsonRpcApiProvider } from 'ethers';
import { addressTopic, byChainOrder, logsOf, type BasisEvent, type RpcLog } from './PositionScan.ts';

const PAIR_EVENTS = new Interface([
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Mint(address indexed sender, uint256 amount0, uint256 amount1)',
  'event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to)',
  'event Sync(uint112 reserve0, uint112 reserve1)',
]);
const ZERO = addressTopic('0x0000000000000000000000000000000000000000');

/** Where the events are read: the pair, the wallet, whether token A is the pair's token0. */
export interface LiquidityScanTarget {
  readonly provider: JsonRpcApiProvider;
  readonly pair: string;
  readonly owner: string;
  readonly aIs0: boolean;
}

/**
 * A wallet's liquidity changes on a Uniswap V2 pair in blocks `from`..`to`, valued in token A: LP
 * tokens minted to it (cost: the tokens it put in) and LP tokens it sent to the pair to burn
 * (proceeds: the tokens it got back), token B counted at the reserves' mid right after the mint or
 * burn (the pair's `Sync` just before its `Mint`/`Burn`).
 */
export async function liquidityBasisEvents(t: LiquidityScanTarget, from: number, to: number): Promise<BasisEvent[]> {
  const transfer = PAIR_EVENTS.getEvent('Transfer')!.topicHash;
  const owner = addressTopic(t.owner);
  const [minted, sent] = await Promise.all([
    logsOf(t.provider, { address: t.pair, topics: [transfer, ZERO, owner], from, to }),
    logsOf(t.provider, { address: t.pair, topics: [transfer, owner, addressTopic(t.pair)], from, to }),
  ]);
  const out: BasisEvent[] = [];
  for (const log of [...minted, ...sent].sort(byChainOrder)) {
    const add = log.topics[1] === ZERO;
    const rpc = (await t.provider.send('eth_getTransactionReceipt', [log.transactionHash])) as { logs: RpcLog[] };
    const amount = valueInA(t, rpc.logs, { after: log, name: add ? 'Mint' : 'Burn' });
    out.push({ kind: add ? 'add' : 'remove', units: BigInt(log.data), amount, tx: log.transactionHash });
  }
  return out;
}

/** Token amounts of the first `Mint`/`Burn` of the pair after `after` in its transaction, in A at the mid after it. */
function valueInA(
  t: LiquidityScanTarget,
  logs: RpcLog[],
  { after, name }: { after: RpcLog; name: 'Mint' | 'Burn' },
): bigint {
  let reserves: readonly [bigint, bigint] | undefined;
  for (const log of logs) {
    if (log.address.toLowerCase() !== t.pair.toLowerCase() || Number(log.logIndex) <= Number(after.logIndex)) continue;
    const e = PAIR_EVENTS.parseLog(log);
    if (e?.name === 'Sync') reserves = [e.args[0] as bigint, e.args[1] as bigint];
    else if (e?.name === name && reserves !== undefined) {
      const [in0, in1] = [e.args[1] as bigint, e.args[2] as bigint];
      const [a, b] = t.aIs0 ? [in0, in1] : [in1, in0];
      const [ra, rb] = t.aIs0 ? reserves : [reserves[1], reserves[0]];
      return a + (rb === 0n ? 0n : (b * ra) / rb);
    }
  }
  return 0n; // an LP transfer with no mint or burn of this pair after it (not a liquidity change): no amount
}
