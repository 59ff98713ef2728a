import type { Outcome } from '../../machines/types.ts';
import type { ApprovalRecord, Principal, TransitionEvent } from '../inspection/InspectionEvent.ts';

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
}

/** Who approved or refused a proposal, and why. */
export interface PolicyVerdict {
  status: 'approved' | 'denied' | 'pending';
  /** The supervisor that gave the final word (`sandbox`, `reputation`, `governance`). */
  by: string;
  reason: string;
  approvalId?: string;
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
  createdAt: number;
  updatedAt: number;
}

/** A write-ahead record of an external effect, keyed by its idempotency key. */
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

/** One audit entry as given by the runtime: who, what, when, where, why. */
export interface AuditInput {
  who: Principal;
  /** Dot-named action, e.g. `agent.act.succeeded`, `operator.pause`, `config.agent.registered`. */
  action: string;
  /** What it was done to (agent id, approval id, intent key). */
  subject: string;
  /** Node / supervisor / account where it happened. */
  where: string;
  why: string;
  /** Structured details; counterparty personal data must be referenced by pseudonymous id, never inlined. */
  data: Record<string, unknown>;
  at: number;
}

/** Kill switch state; survives restarts. */
export interface KillSwitchState {
  all: boolean;
  agents: string[];
  groups: string[];
  capabilities: string[];
}

/**
 * Everything the runtime core persists. Implemented by the MikroORM store
 * (PostgreSQL or the embedded PGlite database); the runtime also runs without
 * one (nothing persisted) for unit tests and simulations.
 */
export interface RuntimeStore {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Throws a coded error when the database cannot be reached. */
  ping(): Promise<void>;

  upsertAgent(row: AgentRow): Promise<void>;
  listAgents(): Promise<AgentRow[]>;

  saveSnapshot(row: SnapshotRow): Promise<void>;
  loadSnapshots(): Promise<SnapshotRow[]>;

  appendTransitions(events: TransitionEvent[]): Promise<void>;

  saveDecision(record: DecisionRecord): Promise<void>;
  getDecision(id: string): Promise<DecisionRecord | undefined>;

  saveApproval(record: ApprovalRecord): Promise<void>;
  listApprovals(status?: ApprovalRecord['status']): Promise<ApprovalRecord[]>;

  /** Creates the intent, or returns the existing one with the same key (throws a coded error if its params differ). */
  beginIntent(row: Omit<IntentRow, 'status' | 'attempts' | 'createdAt' | 'updatedAt'> & { at: number }): Promise<{ intent: IntentRow; created: boolean }>;
  updateIntent(key: string, patch: Partial<Pick<IntentRow, 'status' | 'reference' | 'receipt' | 'error' | 'attempts'>> & { at: number }): Promise<void>;
  findIntent(key: string): Promise<IntentRow | undefined>;

  saveKillSwitch(state: KillSwitchState): Promise<void>;
  loadKillSwitch(): Promise<KillSwitchState | undefined>;

  appendAudit(entry: AuditInput): Promise<void>;
}
