import type { ChainConnection } from '../runtime/index.ts';

/** The start banner's chain lines: which chain, which contracts, and the durability findings. */
export function chainBanner(chain: ChainConnection, durability: string): string {
  const c = chain.contracts;
  const named = [
    ...Object.entries(c.tokens).map(([symbol, a]) => `${symbol} ${a}`),
    `Safe singleton ${c.safe.safeSingletonAddress}`,
    `Safe proxy factory ${c.safe.safeProxyFactoryAddress}`,
    `Safe fallback handler ${c.safe.fallbackHandlerAddress}`,
    `Uniswap V2 router ${c.uniswap.router}`,
    ...Object.entries(c.pools).map(([pair, a]) => `pool ${pair} ${a}`),
    ...Object.entries(c.vaults).map(([asset, a]) => `ERC-4626 vault ${asset} ${a}`),
    ...Object.entries(c.feeds).map(([pair, f]) => `feed ${pair} ${f.address}`),
  ];
  return [
    `mandate: chain ${chain.description}${chain.firstStart ? ' — contracts deployed now' : ''}`,
    `mandate: contracts: ${named.join(', ')}`,
    ...(durability === '' ? [] : [`mandate: durability:\nmandate:   ${durability}`]),
  ].join('\n');
}
