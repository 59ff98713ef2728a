export { amountToNumber, formatAmount, parseAmount } from './amount.ts';
export { createPaymentActuator, receiptOutcome } from './actuators/index.ts';
export type { Payee, PaymentActuatorOptions } from './actuators/index.ts';
export { AmountError, PaymentActionError, PolicyEvaluationError, RuleDefinitionError } from './errors.ts';
export type {
  ActContext,
  Actuator,
  CollectedSignatures,
  LearnReport,
  Learner,
  Perceiver,
  SignatureRequest,
  SignatureScheme,
} from './Actuator.ts';
export { flagSuboptimal } from './learners/flagSuboptimal.ts';
export type { SuboptimalBounds } from './learners/flagSuboptimal.ts';
export { RulesDecider } from './deciders/RulesDecider.ts';
export { HybridDecider } from './deciders/HybridDecider.ts';
export type { HybridDeciderOptions } from './deciders/HybridDecider.ts';
export {
  AnthropicMessagesProvider,
  LLM_DECISION_JSON_SCHEMA,
  LlmHttpError,
  LlmOutputError,
  llmDecisionSchema,
  OpenAiChatProvider,
} from './llm/index.ts';
export type {
  AnthropicMessagesOptions,
  LlmAnswer,
  LlmDecision,
  LlmProvider,
  LlmRequest,
  OpenAiChatOptions,
} from './llm/index.ts';
export type { Decider, DraftDecision } from './deciders/RulesDecider.ts';
export { ruleFileSchema, ruleSchema } from './deciders/ruleSchema.ts';
export type { RuleDefinition } from './deciders/ruleSchema.ts';
export { Budget } from './policies/Budget.ts';
export { GovernancePolicy } from './policies/GovernancePolicy.ts';
export { durationSchema, governanceFileSchema, perAssetSchema } from './policies/governanceSchema.ts';
export type { GovernanceConfig } from './policies/governanceSchema.ts';
export { ReputationPolicy } from './policies/ReputationPolicy.ts';
export type { ReputationChange, ReputationOptions } from './policies/ReputationPolicy.ts';
export { SandboxPolicy } from './policies/SandboxPolicy.ts';
export type { Permission } from './policies/SandboxPolicy.ts';
export type { PolicyResult, Proposal, SpendLimits, SupervisorPolicy } from './policies/SupervisorPolicy.ts';

// Rails, wallets, limits and oracles (each area's index has the full list).
export {
  AggregatorSwapRail,
  BerlinGroupPisClient,
  createPaymentExecutor,
  EvmRail,
  mikroOrmRailSql,
  OpenBankingRail,
  pgRailSql,
  railEntities,
  SafePaymentRail,
  SandboxBank,
  UniswapV2SwapRail,
} from './rails/index.ts';
export type {
  CryptoIntent,
  FiatIntent,
  PaymentExecutor,
  PaymentIntent,
  PaymentReceipt,
  PaymentStatus,
  RailSql,
  SwapIntent,
} from './rails/index.ts';
export {
  Eip3009Authorizations,
  guardSigner,
  HdWallets,
  LitPkpSigner,
  LocalKeystoreSigner,
  SafeMultisig,
} from './wallets/index.ts';
export type {
  AuthorizationRetraction,
  DigestSigner,
  KillSwitch,
  TransactionSigner,
  TransferAuthorization,
} from './wallets/index.ts';
export { limitEntities, SpendingLimits } from './limits/index.ts';
export type { LimitRule } from './limits/index.ts';
export {
  BankFxOracle,
  CachedOracle,
  ChainlinkOracle,
  HttpPriceOracle,
  SanePriceFeed,
  UniswapV2PoolOracle,
} from './oracles/index.ts';
export type { Oracle, PriceObservation } from './oracles/index.ts';
export {
  createTreasuryStrategyActuator,
  Erc4626Vault,
  LiquidityFloorError,
  MinimumAprError,
  StrategyActionError,
  TREASURY_ACTIONS,
  UniswapV2Liquidity,
} from './treasury/index.ts';
export type { LiquidFloor, TreasuryStrategyOptions } from './treasury/index.ts';
export {
  DEFAULT_SANDBOX_LIMITS,
  draftDecisionSchema,
  QuickJsSandbox,
  SandboxCapabilityError,
  SandboxCodeError,
  SandboxCpuError,
  SandboxForbiddenError,
  sandboxLimitsSchema,
  SandboxMemoryError,
  SandboxResultError,
  SandboxStrategy,
  SandboxThrewError,
  SandboxTimeoutError,
  validateSandboxCode,
} from './sandbox/index.ts';
export type {
  SandboxCallOptions,
  SandboxCapability,
  SandboxLimits,
  SandboxStrategyOptions,
  SandboxUsage,
  StrategyFunction,
} from './sandbox/index.ts';
export { BehaviourBaseline, ZeroTrustPolicy } from './zerotrust/index.ts';
export type { BehaviourSignals, ThreatLevel, ZeroTrustOptions, ZeroTrustVerdict } from './zerotrust/index.ts';
export {
  applyEvidence,
  decay,
  limitFactor,
  neutralScore,
  REPUTATION_DIMENSIONS,
  slash,
} from './policies/reputationModel.ts';
export type {
  Evidence,
  ReputationDimension,
  ReputationScore,
  Severity,
  ViolationType,
} from './policies/reputationModel.ts';
