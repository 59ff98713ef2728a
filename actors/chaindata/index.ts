/** Chain-data perceivers: indexed on-chain data from GraphQL subgraphs and Covalent-style REST APIs. */
export { SubgraphSource } from './SubgraphSource.ts';
export type { EntityQuery, IndexedBlock, SubgraphSourceOptions } from './SubgraphSource.ts';
export { CovalentSource } from './CovalentSource.ts';
export type { CovalentSourceOptions, TokenBalance, TokenTransfer } from './CovalentSource.ts';
export { covalentPerceiver, subgraphPerceiver, unitsToDecimal } from './chainDataPerceivers.ts';
export type { CovalentFacts } from './chainDataPerceivers.ts';
export type { IndexerHttpOptions } from './requestJson.ts';
export {
  ChainDataInvalidError,
  ChainDataStaleError,
  ChainDataTruncatedError,
  ChainDataUnavailableError,
} from './errors.ts';
