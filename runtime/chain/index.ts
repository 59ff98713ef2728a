/** The chains live runtimes pay on: the embedded EVM (default) or any EVM chain at `EVM_RPC_URL`. */
export { openChain } from './openChain.ts';
export type { ChainConnection, OpenChainOptions } from './openChain.ts';
export { EmbeddedChain } from './EmbeddedChain.ts';
export type { EmbeddedChainOptions } from './EmbeddedChain.ts';
export { InProcessProvider } from './InProcessProvider.ts';
export type { Eip1193Request } from './InProcessProvider.ts';
export { chainContractsSchema } from './ChainContracts.ts';
export type { ChainContracts } from './ChainContracts.ts';
export type { FeedSpec } from './deployChainContracts.ts';
export { ChainConfigError, ChainMethodError, ChainReplayError, ChainRpcError } from './errors.ts';
