export { amountToNumber, formatAmount, parseAmount } from './amount.ts';
export { createPaymentActuator, receiptOutcome, routeActuators } from './actuators/index.ts';
export type { Payee, PaymentActuatorOptions } from './actuators/index.ts';
export type { RailPoolOptions } from './rails/index.ts';
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
export { ParameterTuner } from './learners/ParameterTuner.ts';
export type { ParameterState, ParameterTunerOptions, TunableDecider, TuningEvent } from './learners/ParameterTuner.ts';
export { tuneParameter, rewardOf } from './learners/tuneParameter.ts';
export type { TunableBounds, TuningObjective, TuningObservation, TuningStep } from './learners/tuneParameter.ts';
export { RulesDecider } from './deciders/RulesDecider.ts';
export { paramFact } from './deciders/ruleParams.ts';
export { HybridDecider } from './deciders/HybridDecider.ts';
export { GoalDecider } from './deciders/GoalDecider.ts';
export type { GoalDeciderOptions } from './deciders/GoalDecider.ts';
export { goalSchema, decideConfigSchema } from './deciders/goalSchema.ts';
export { STRATEGY_PRESETS, strategyAllocation, strategySettings } from './deciders/strategyPresets.ts';
export type { StrategyPresetName } from './deciders/strategyPresets.ts';
export { ShadowedDecider } from './deciders/ShadowedDecider.ts';
export { compareActions, describeAction } from './deciders/sameAction.ts';
export type { DecideConfig, Goal } from './deciders/goalSchema.ts';
export { allowedCapabilities, perTransactionLimit } from './deciders/constraints.ts';
export type { Constraint } from './deciders/constraints.ts';
export type { CandidateOption, GeneratedOptions, OptionGenerator } from './deciders/OptionGenerator.ts';
export { GoalDefinitionError, StrategyPresetError } from './errors.ts';
export type { HybridDeciderOptions } from './deciders/HybridDecider.ts';
export {
  AnthropicMessagesProvider,
  BudgetedLlmProvider,
  LLM_DECISION_JSON_SCHEMA,
  LlmBudgetError,
  LlmHttpError,
  LlmOutputError,
  LocalAgentProvider,
  MODEL_COMPLETE,
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
  LocalAgentProviderOptions,
  ModelRequester,
  TokenBudgetOptions,
  TokenUsage,
} from './llm/index.ts';
export type { Decider, DraftDecision } from './deciders/RulesDecider.ts';
export type { RuleParameter } from './deciders/ruleParams.ts';
export { ruleFileSchema, ruleSchema } from './deciders/ruleSchema.ts';
export type { RuleDefinition } from './deciders/ruleSchema.ts';
export { Budget } from './policies/Budget.ts';
export { GovernancePolicy } from './policies/GovernancePolicy.ts';
export { durationSchema, governanceFileSchema, perAssetSchema } from './policies/governanceSchema.ts';
export type { GovernanceConfig } from './policies/governanceSchema.ts';
export { ReputationPolicy } from './policies/ReputationPolicy.ts';
export type { BudgetReservation } from './policies/Budget.ts';
export type { ReputationChange, ReputationOptions, ReputationState, Violation } from './policies/ReputationPolicy.ts';
export { SandboxPolicy } from './policies/SandboxPolicy.ts';
export type { Permission } from './policies/SandboxPolicy.ts';
export type { PolicyResult, Proposal, SpendLimits, SupervisorPolicy } from './policies/SupervisorPolicy.ts';

// Rails, wallets, limits and oracles (each area's index has the full list).
export {
  AggregatorSwapRail,
  BerlinGroupPisClient,
  createPaymentExecutor,
  createRailPool,
  EvmRail,
  MemoryReceiptCache,
  mikroOrmRailSql,
  OpenBankingRail,
  pgRailSql,
  railEntities,
  RedisReceiptCache,
  SafePaymentRail,
  SandboxBank,
  UniswapV2SwapRail,
} from './rails/index.ts';
export type {
  CryptoIntent,
  FiatIntent,
  PayeeVault,
  PaymentExecutor,
  PaymentIntent,
  PaymentReceipt,
  PaymentStatus,
  RailSql,
  ReceiptCache,
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
export { counterpartyDigest, COUNTERPARTY_DIGEST_PREFIX, limitEntities, SpendingLimits } from './limits/index.ts';
export type { LimitRule } from './limits/index.ts';
export {
  BankFxOracle,
  CachedOracle,
  ChainlinkOracle,
  HttpPriceOracle,
  OracleDataError,
  SanePriceFeed,
  UniswapV2PoolOracle,
} from './oracles/index.ts';
export type { Oracle, PriceObservation, SanePrice } from './oracles/index.ts';
export {
  createPlatformSyncActuator,
  ODataAdapter,
  PlatformAuthError,
  PlatformConfigError,
  PlatformConflictError,
  PlatformRequestError,
  SalesforceAdapter,
  StateSync,
} from './platforms/index.ts';
export type {
  ConflictPolicy,
  ConflictResolution,
  ODataAdapterOptions,
  PlatformAdapter,
  PlatformEvent,
  PlatformHttpOptions,
  PlatformRecord,
  PropagationResult,
  SalesforceAdapterOptions,
  StateSyncOptions,
  SubscribeOptions,
  SyncConflict,
  SyncTarget,
} from './platforms/index.ts';
export {
  FileKybProvider,
  HttpKybProvider,
  KybConfigError,
  KybPolicy,
  KybUnavailableError,
  parseKybFile,
  screen,
  screeningName,
} from './compliance/index.ts';
export type {
  HttpKybProviderOptions,
  KybAnswer,
  KybCheck,
  KybPolicyOptions,
  KybProvider,
  KybRecord,
  SanctionsEntry,
  SanctionsHit,
} from './compliance/index.ts';
export {
  ChainDataInvalidError,
  ChainDataStaleError,
  ChainDataTruncatedError,
  ChainDataUnavailableError,
  CovalentSource,
  covalentPerceiver,
  SubgraphSource,
  subgraphPerceiver,
  unitsToDecimal,
} from './chaindata/index.ts';
export type {
  CovalentFacts,
  CovalentSourceOptions,
  EntityQuery,
  IndexedBlock,
  IndexerHttpOptions,
  SubgraphSourceOptions,
  TokenBalance,
  TokenTransfer,
} from './chaindata/index.ts';
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
  createMcpActuator,
  MCP_TOOL_CALL,
  McpArgumentsError,
  McpCapabilityMismatchError,
  McpClients,
  McpConnectError,
  McpConnection,
  McpOutputError,
  McpRequestError,
  mcpResourcePerceiver,
  McpServerSpecError,
  mcpSpecSchema,
  McpTimeoutError,
  mcpToolCapability,
  McpToolUnknownError,
} from './mcp/index.ts';
export type { McpServerSpec, McpSpec, McpSpecInput } from './mcp/index.ts';
export {
  createX402Actuator,
  pickRequirement,
  quoteX402,
  X402_PAY,
  x402Nonce,
  x402QuotePerceiver,
  X402RequirementsError,
  X402SaleRefusedError,
  X402Seller,
  X402SettlementUnknownError,
} from './x402/index.ts';
export type {
  SaleAnswer,
  SaleAudit,
  SaleRequest,
  SaleResolution,
  SaleWork,
  StoredSale,
  X402ActuatorOptions,
  X402Asset,
  X402Offer,
  X402QuoteFact,
  X402SellerOptions,
} from './x402/index.ts';
export {
  DEFAULT_SANDBOX_LIMITS,
  draftDecisionSchema,
  Sandbox,
  SandboxCapabilityError,
  SandboxCodeError,
  SandboxCpuError,
  SandboxEngineUnavailableError,
  SandboxForbiddenError,
  sandboxLimitsSchema,
  SandboxMemoryError,
  SandboxResultError,
  SandboxStrategy,
  SandboxThrewError,
  SandboxTimeoutError,
  validateSandboxCode,
} from './sandbox/index.ts';
export type { SandboxCallOptions, SandboxCapability, SandboxLimits } from './sandbox/index.ts';
export type { SandboxStrategyOptions, SandboxUsage, StrategyFunction } from './sandbox/index.ts';
export { BehaviourBaseline, factDrift, ZeroTrustPolicy } from './zerotrust/index.ts';
export type {
  BehaviourFact,
  BehaviourSignals,
  ThreatLevel,
  ZeroTrustOptions,
  ZeroTrustVerdict,
} from './zerotrust/index.ts';
export {
  applyEvidence,
  BONUS_ABOVE,
  decay,
  limitFactor,
  neutralScore,
  REPUTATION_DIMENSIONS,
  slash,
  WARNING_BELOW,
} from './policies/reputationModel.ts';
export type {
  Evidence,
  ReputationDimension,
  ReputationScore,
  Severity,
  ViolationType,
} from './policies/reputationModel.ts';
