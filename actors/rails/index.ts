/** Payment rails: one execution interface over EVM, Solana, swap and fiat rails, exactly-once in effect. */

// The execution interface and its data
export { createPaymentExecutor } from './createPaymentExecutor.ts';
export type { PaymentExecutorRails } from './createPaymentExecutor.ts';
export type { CryptoRail, FiatRail, SwapRail, PaymentExecutor } from './Rail.ts';
export {
  CryptoIntentSchema,
  FiatIntentSchema,
  SwapIntentSchema,
  ContractCallIntentSchema,
  DecimalAmount,
  parseIntent,
  intentFingerprint,
} from './PaymentIntent.ts';
export type { CryptoIntent, FiatIntent, SwapIntent, ContractCallIntent, PaymentIntent } from './PaymentIntent.ts';
export { FINAL_STATUSES } from './PaymentReceipt.ts';
export type { PaymentReceipt, PaymentStatus, PaymentFee } from './PaymentReceipt.ts';

// EVM
export { EvmRail } from './EvmRail.ts';
export type {
  EvmAsset,
  EvmRailOptions,
  EvmCall,
  EvmExecuteOptions,
  EvmFenced,
  ReferenceValuer,
} from './EvmRailOptions.ts';
export { estimateEip1559Fees, bumpFees, DEFAULT_REPLACEMENT_BUMP_PERCENT } from './FeePolicy.ts';
export type { Eip1559Fees } from './FeePolicy.ts';

// Solana (SPL tokens through @solana/kit)
export { SolanaRail } from './solana/SolanaRail.ts';
export type { SolanaRailOptions, SplAsset, SolanaFinality } from './solana/SolanaRail.ts';
export { SolanaCryptoIntentSchema } from './solana/SolanaRailOptions.ts';

// Multisig payments (approvals are Safe signatures)
export { SafePaymentRail } from './SafePaymentRail.ts';
export type { SafePaymentRailOptions } from './SafePaymentRail.ts';

// Swaps
export { UniswapV2SwapRail } from './UniswapV2SwapRail.ts';
export type { UniswapV2SwapRailOptions, SwapQuote } from './UniswapV2SwapRail.ts';
export { AggregatorSwapRail } from './AggregatorSwapRail.ts';
export type { AggregatorSwapRailOptions } from './AggregatorSwapRail.ts';
export { AggregatorQuoteSchema, zeroExQuoteFormat } from './aggregatorQuoteFormat.ts';
export { oneInchQuoteFormat } from './oneInchQuoteFormat.ts';
export { paraswapQuoteFormat } from './paraswapQuoteFormat.ts';
export type { AggregatorQuote, AggregatorQuoteFormat, QuoteQuery, QuoteHttp } from './aggregatorQuoteFormat.ts';
export type { SwapToken } from './swapSupport.ts';

// Fiat
export { OpenBankingRail } from './OpenBankingRail.ts';
export type { OpenBankingRailOptions } from './OpenBankingRail.ts';
export { BerlinGroupPisClient } from './BerlinGroupPisClient.ts';
export type { BerlinGroupPisClientOptions } from './BerlinGroupPisClient.ts';
export { SandboxBank } from './SandboxBank.ts';
export type { SandboxBankOptions } from './SandboxBank.ts';
export { PaymentInitiationStatus, PaymentInitiationResponse } from './PaymentInitiationApi.ts';
export type { PaymentInitiationApi, CreditTransferRequest } from './PaymentInitiationApi.ts';
export type { PayeeVault } from './PayeeVault.ts';
export { DelayQueue } from './DelayQueue.ts';

// Persistence and caching
export { railEntities, RailIntentEntity, RailAttemptEntity, RailNonceEntity } from './entities.ts';
export type { RailIntentRow, RailAttemptRow, RailNonceRow } from './entities.ts';
export { pgRailSql, mikroOrmRailSql } from './RailSql.ts';
export { createRailPool } from './createRailPool.ts';
export type { RailPoolOptions } from './createRailPool.ts';
export type { RailSql, MikroOrmSqlEntityManager } from './RailSql.ts';
export { IntentLedger, pendingReceipt } from './IntentLedger.ts';
export type { LedgerEntry } from './IntentLedger.ts';
export { RedisReceiptCache } from './RedisReceiptCache.ts';
export type { RedisReceiptCacheOptions } from './RedisReceiptCache.ts';
export { MemoryReceiptCache } from './ReceiptCache.ts';
export type { ReceiptCache, MemoryReceiptCacheOptions } from './ReceiptCache.ts';

// Errors
export {
  InvalidIntentError,
  FeeCapExceededError,
  BroadcastError,
  UnsupportedIntentError,
  IntentNotFoundError,
  ReplacementError,
  PreflightError,
  SlippageExceededError,
  SwapQuoteError,
} from './errors.ts';
