import type { Outcome, StageVerdict } from '../../machines/index.ts';
import type { AlertStore } from '../alerts/AlertStore.ts';
import type { MetricSeriesStore } from '../metrics/MetricSeries.ts';
import type { AgentVersionStore } from '../versions/AgentVersion.ts';
import type { AuditInput } from '../audit/AuditInput.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { PersonalDataVault } from '../audit/PersonalDataVault.ts';
import type { ApprovalRecord, TransitionEvent } from '../inspection/InspectionEvent.ts';
import type { CompactionResult, RetentionPolicy } from './compactHistory.ts';
import type { ReputationStore } from './ReputationEvent.ts';
import type { BehaviourStore } from './BehaviourStore.ts';
import type { StakeStore } from './StakeStore.ts';
import type { OutcomeQuery, OutcomeRow } from './queryOutcomes.ts';

export type { AuditInput };

/** What the runtime persists about an agent so it can be resumed under the same supervisor with the same identity. */
export interface AgentRow {
  id: string;
  did: string;
  /** Definition version (the definition's `version`, or a content hash). */
  version: string;
  supervisorId: string;
  /** The validated definition as JSON (functions omitted). */
  definition: Record<string, unknown>;
  /** Ed25519 seed, base64url. The store keeps it encrypted at rest. */
  identitySeed: string;
}

/** The latest persisted XState snapshot of one agent. */
export interface SnapshotRow {
  agentId: string;
  supervisorId: string;
  /** `actor.getPersistedSnapshot()` output, JSON. */
  snapshot: unknown;
  /** State value, dot-joined, for queries. */
  state: string;
  /** Per-agent step counter; higher wins. */
  seq: number;
  at: number;
  /** The fencing token of the lease this node holds the agent under (placement); the store refuses any other. */
  fence?: number;
}

/** Who approved or refused a proposal, and why. */
export interface PolicyVerdict {
  status: 'approved' | 'denied' | 'pending';
  /** The supervisor that gave the final word (`sandbox`, `reputation`, `governance`). */
  by: string;
  reason: string;
  approvalId?: string;
  /** Every supervisor stage's own answer, in pipeline order (records written before stages were kept have none). */
  stages?: StageVerdict[];
}

/** Outcome of a decision after act/learn (the machine's `Outcome`). */
export type DecisionOutcome = Outcome;

/** One record per decision: facts, rules fired, model rationale, confidence, policy verdict, outcome. */
export interface DecisionRecord {
  id: string;
  agentId: string;
  cycle: number;
  trigger: Record<string, unknown>;
  facts: Record<string, unknown>;
  rulesFired: string[];
  rationale: string;
  confidence: number;
  model: string | null;
  action: Record<string, unknown> | null;
  verdict: PolicyVerdict | null;
  outcome: DecisionOutcome | null;
  /** The W3C trace id of the cycle that made the decision (tracing on), so the record leads to its trace; null otherwise. */
  traceId?: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A write-ahead record of an act phase's external effect, keyed by its idempotency key (`mandate_intent`; the runtime intent log, not the rails' payment ledger). */
export interface IntentRow {
  key: string;
  agentId: string;
  decisionId: string;
  /** sha-256 of the canonical parameters: the same key with other parameters is an error. */
  paramsHash: string;
  params: Record<string, unknown>;
  status: 'pending' | 'executing' | 'succeeded' | 'failed';
  reference?: string;
  receipt?: Record<string, unknown>;
  error?: { code: string; message: string };
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

/** Kill switch state; survives restarts. */
export interface KillSwitchState {
  all: boolean;
  agents: string[];
  groups: string[];
  capabilities: string[];
}

/**
 * The one store contract: everything the runtime core persists (required), and the capabilities a
 * store may have on top (optional members: test for them, never cast). Implemented by
 * `PostgresStore` (PostgreSQL, or the embedded PGlite database through the same driver), which has
 * every capability; the runtime also runs without a store (nothing persisted) for unit tests and
 * simulations.
 *
 * @example
 * const page = await runtime.store?.audit?.query({ limit: 50 }); // undefined: no audit trail to read
 */
export interface RuntimeStore {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Throws a coded error when the database cannot be reached. */
  ping(): Promise<void>;

  upsertAgent(row: AgentRow): Promise<void>;
  listAgents(): Promise<AgentRow[]>;

  saveSnapshot(row: SnapshotRow): Promise<void>;
  /** The newest snapshot of every agent, or of the one agent named (a passivated agent's reactivation reads one row). */
  loadSnapshots(agentId?: string): Promise<SnapshotRow[]>;

  appendTransitions(events: TransitionEvent[]): Promise<void>;

  saveDecision(record: DecisionRecord): Promise<void>;
  getDecision(id: string): Promise<DecisionRecord | undefined>;

  /** Saves the request; with `audit`, the entry recording the answer commits in the same transaction (write-ahead of it taking effect). */
  saveApproval(record: ApprovalRecord, audit?: AuditInput): Promise<void>;
  listApprovals(status?: ApprovalRecord['status']): Promise<ApprovalRecord[]>;
  /** One approval by id, or undefined: how a closed request no longer held in memory is found again. */
  getApproval(id: string): Promise<ApprovalRecord | undefined>;

  /** Creates the intent, or returns the existing one with the same key (throws a coded error if its params differ). */
  beginIntent(
    row: Omit<IntentRow, 'status' | 'attempts' | 'createdAt' | 'updatedAt'> & { at: number; fence?: number },
  ): Promise<{ intent: IntentRow; created: boolean }>;
  /** Updates an intent; with `fence`, only while that token is the agent's current one. */
  updateIntent(
    key: string,
    patch: Partial<Pick<IntentRow, 'status' | 'reference' | 'receipt' | 'error' | 'attempts'>> & {
      at: number;
      fence?: number;
    },
  ): Promise<void>;
  findIntent(key: string): Promise<IntentRow | undefined>;

  /** Saves the state; with `audit`, the entry recording the change commits in the same transaction (write-ahead of applying it). */
  saveKillSwitch(state: KillSwitchState, audit?: AuditInput): Promise<void>;
  loadKillSwitch(): Promise<KillSwitchState | undefined>;

  appendAudit(entry: AuditInput): Promise<void>;

  /** The database's connection URL (on the embedded driver, the Unix-socket URL of its PGlite server), for tools that open their own pool on it, such as the rails' ledger. */
  readonly databaseUrl?: string;
  /** The read side of the audit hash chain (query, verify, checkpoint), when the store keeps one. */
  readonly audit?: AuditTrail;
  /** Where the alert book keeps alerts across restarts. */
  readonly alerts?: AlertStore;
  /** Where the runtime's sampled metric series are kept (`GET /api/metrics/series` reads them). */
  readonly series?: MetricSeriesStore;
  /** Immutable agent definition versions and the one each agent runs (rollback). */
  readonly versions?: AgentVersionStore;
  /** The reputation history: every change with the score it left, the newest per agent restored at start. */
  readonly reputation?: ReputationStore;
  /** The zero-trust stage's behaviour history: what each agent's baseline is rebuilt from at start. */
  readonly behaviour?: BehaviourStore;
  /** The stake ledger: agents' posted stakes and their slashes (docs/reputation.md, "Stake"). */
  readonly stakes?: StakeStore;
  /** The node's wallet seed (hex, sealed at rest): agents' EVM accounts are derived from it. */
  walletSeed?(): Promise<string>;
  /** The personal-data vault (sealed counterparty details by pseudonym); rails keep creditors there. */
  readonly vault?: PersonalDataVault;
  /**
   * Makes `token` the agent's current fencing token (refused when a newer one is there); from then
   * on the store refuses the agent's intents and snapshots carrying any other token.
   */
  raiseFence?(fence: { agentId: string; token: number; nodeId: string }): Promise<void>;
  /** Past decisions with an outcome, newest first, with the rule parameters each was taken with (the tuner's evidence). */
  queryOutcomes?(query: OutcomeQuery): Promise<OutcomeRow[]>;
  /** Compacts journal and snapshot history by `policy` (default: the store's retention policy). */
  compact?(policy?: RetentionPolicy): Promise<CompactionResult>;
}
