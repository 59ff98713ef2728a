import { z } from 'zod';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address');

/** Where the contracts of a chain are: what the embedded chain deploys on first start. */
export const chainContractsSchema = z.strictObject({
  chainId: z.number().int().positive(),
  /** Stablecoins by symbol (6 decimals, EIP-3009): USDC, EURC. */
  tokens: z.record(z.string(), address),
  /** protocol-kit's `contractNetworks` entry for this chain. */
  safe: z.strictObject({
    safeSingletonAddress: address,
    safeProxyFactoryAddress: address,
    fallbackHandlerAddress: address,
    multiSendAddress: address,
    multiSendCallOnlyAddress: address,
    signMessageLibAddress: address,
    createCallAddress: address,
    simulateTxAccessorAddress: address,
  }),
  uniswap: z.strictObject({ factory: address, router: address, weth: address }),
  /** Uniswap V2 pairs by `A/B` symbol. */
  pools: z.record(z.string(), address),
  /** ERC-4626 vaults by the symbol of their asset. */
  vaults: z.record(z.string(), address),
  /** Chainlink AggregatorV3-style feeds by pair (`EURUSD`), with their decimals. */
  feeds: z.record(z.string(), z.strictObject({ address, decimals: z.number().int().min(0).max(36) })),
});

/** The contracts of one chain. */
export type ChainContracts = z.infer<typeof chainContractsSchema>;
