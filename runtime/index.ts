/**
 * The runtime's public API: create a runtime, define agents (TypeScript or YAML), and the types
 * of its one face, `MandateRuntime`. Everything else in this folder is internal.
 */
export { AgentIdentity, InvalidDidError, didFromPublicKey, publicKeyFromDid } from '../transport/index.ts';
export type { IdentityJson } from '../transport/index.ts';
export { defineAgent } from './agents/defineAgent.ts';
export type { AgentDefinition, AgentSpec } from './agents/defineAgent.ts';
export type { HealthScore } from './health/healthScore.ts';
export type { AgentReputation, AgentReputationReport } from './reputation/agentReputation.ts';
export type {
  AgentSource,
  AgentVersionInfo,
  AgentVersionRow,
  AgentVersionStore,
  RollbackRequest,
} from './versions/AgentVersion.ts';
export { agentDataSchema, agentYamlSchema, triggerSchema } from './agents/agentSchema.ts';
export type { AgentData, AgentYaml, ContractorSpec, TriggerSpec } from './agents/agentSchema.ts';
export { loadAgentYaml, parseAgentYaml } from './agents/loadAgentYaml.ts';
export { externalEventSchema } from './agents/externalEventSchema.ts';
export type { ExternalEvent } from './agents/externalEventSchema.ts';
export { PluginRegistry } from './agents/PluginRegistry.ts';
export { shadowDiff } from './shadow/shadowDiff.ts';
export type { ShadowKind, ShadowReport, ShadowRow } from './shadow/shadowDiff.ts';
export { shadowDeciders } from './shadow/shadowDeciders.ts';
export { simulateAgents } from './simulation/simulateAgents.ts';
export type { SimulationRow, Simulator } from './simulation/simulateAgents.ts';
export { runSweep } from './simulation/runSweep.ts';
export type { ParameterChange } from './learning/Tuning.ts';
export type { SweepStep } from './simulation/runSweep.ts';
export { parseSetTokens, parseSweepToken, checkSweep, FACT_PATH, MAX_SWEEP_VALUES } from './simulation/scenarioSpec.ts';
export type { ScenarioFacts, SweepSpec } from './simulation/scenarioSpec.ts';
export { createRuntime, MandateRuntimeImpl } from './MandateRuntimeImpl.ts';
export { actKeyOf } from './phases/actKeyOf.ts';
export type { RuntimeServices } from './composeRuntime.ts';
export type {
  AlertingOptions,
  GroupOptions,
  RuntimeChain,
  RuntimeOptions,
  RuntimePassivationOptions,
} from './RuntimeOptions.ts';
export type { RuntimePlacementOptions } from './placement/startPlacement.ts';
export type { ClusterView } from './placement/Placement.ts';
export { EmbeddedChain, InProcessProvider, openChain, chainContractsSchema } from './chain/index.ts';
export type { ChainConnection, ChainContracts, Eip1193Request, FeedSpec, OpenChainOptions } from './chain/index.ts';
export type {
  AgentDetail,
  AgentSummary,
  CapabilityInfo,
  MachineGraph,
  MandateRuntime,
  ReadinessCheck,
  RuntimeMetrics,
  TaskResult,
  TreeNode,
} from './MandateRuntime.ts';
export type { AlertInput, AlertSeverity } from './host/AgentHost.ts';
export type { GateChange } from './control/OperatorCommands.ts';
export { createLogger } from './logging/createLogger.ts';
export type { FamilySnapshot, SeriesSnapshot } from './metrics/MetricFamily.ts';
export type { SeriesResult } from './metrics/MetricSeries.ts';
export type { PositionPricePair, PriceRevaluation, PriceTick } from './metrics/PositionPrices.ts';
export type { RevaluedPosition } from './metrics/PositionMetrics.ts';
export type { AlertRecord, AlertStatus, SinkDelivery } from './alerts/AlertRecord.ts';
export type { AlertRules } from './alerts/alertRules.ts';
export type { AlertStore } from './alerts/AlertStore.ts';
export type { AlertNotification, AlertSink } from './alerts/sinks/AlertSink.ts';
export type { DispatchOptions } from './alerts/sinks/AlertDispatcher.ts';
export { SlackSink } from './alerts/sinks/SlackSink.ts';
export { TelegramSink } from './alerts/sinks/TelegramSink.ts';
export { PagerDutySink } from './alerts/sinks/PagerDutySink.ts';
export { WebhookSink } from './alerts/sinks/WebhookSink.ts';
export { alertSinksFromEnv } from './alerts/sinks/alertSinksFromEnv.ts';
export type { LogFormat, LoggerOptions, RuntimeLogger } from './logging/createLogger.ts';
export { logInspectionEvent } from './logging/logInspectionEvent.ts';
export { systemClock } from '../kernel/index.ts';
export type { Clock } from '../kernel/index.ts';
export { createGateActuator } from './control/gateActuator.ts';
export type { Gate } from './control/GateBoard.ts';
export type { KillScope, KillTarget } from './control/KillScopes.ts';
export type { ProposalStage } from './proposals/ProposalStage.ts';
export type { ApprovalRequirement } from './approvals/Approvals.ts';
export type {
  AlertEvent,
  ApprovalEvent,
  ApprovalRecord,
  InspectionEvent,
  Principal,
  TransitionEvent,
} from './inspection/InspectionEvent.ts';
export type {
  AgentRow,
  AuditInput,
  DecisionOutcome,
  DecisionRecord,
  IntentRow,
  KillSwitchState,
  PolicyVerdict,
  RuntimeStore,
  SnapshotRow,
} from './persistence/RuntimeStore.ts';
export { MemoryIntentLog, paramsHash } from './host/IntentLog.ts';
export type { IntentLog } from './host/IntentLog.ts';
export {
  ActUnreconciledError,
  AlertDeliveryError,
  AlertSinkConfigError,
  AgentDefinitionError,
  DuplicateIdError,
  GateParamsError,
  KillSwitchEngagedError,
  NotFoundError,
  PhaseError,
  SnapshotIncompatibleError,
  StateConflictError,
  UnknownCapabilityError,
} from './errors.ts';
export { TASK_REQUEST } from './messaging/RuntimeMessaging.ts';
export type { RuntimeMessagingOptions } from './messaging/RuntimeMessaging.ts';
export { MandateError } from '../kernel/index.ts';
export { openStore, checkDurability, WeakDurabilityError } from './persistence/index.ts';
export type { OpenStoreOptions, DurabilityFinding } from './persistence/index.ts';
export type { AuditEntry, AuditPage, AuditQuery, AuditVerifyResult } from './audit/index.ts';
/** The audit chain's own hashing and input check, for stores other than PostgreSQL (the simulator's). */
export { auditEntryHash, chainEntries, GENESIS_HASH, parseAuditInput } from './audit/index.ts';
