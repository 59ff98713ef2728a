/** x402 payments: agents pay HTTP 402 resources with EIP-3009 authorizations, under governance, exactly once; capabilities are sold the same way. */
export { createX402Actuator, x402Nonce } from './createX402Actuator.ts';
export { X402_PAY } from './checkX402Action.ts';
export type { X402ActuatorOptions, X402DryRunOptions, X402LiveOptions } from './createX402Actuator.ts';
export { pickRequirement, quoteX402, x402QuotePerceiver } from './x402Quote.ts';
export type { X402Asset, X402QuoteFact } from './x402Quote.ts';
export { X402Seller } from './X402Seller.ts';
export type { SaleAnswer, SaleAudit, SaleRequest, SaleWork, X402Offer, X402SellerOptions } from './x402SaleParts.ts';
export type { StoredSale } from './X402SaleBook.ts';
export type { SaleResolution, SaleResolutionRequest } from './x402SaleRecovery.ts';
export { X402RequirementsError, X402SaleRefusedError, X402SettlementUnknownError } from './errors.ts';
