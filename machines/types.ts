/**
 * The data that flows through one agent cycle. Pure types: machines know
 * nothing about NATS, PostgreSQL, Fastify or ethers.
 */

import type { Principal } from '../kernel/index.ts';

/** Who did something (the kernel's one `Principal`, re-exported for this folder's readers). */
export type { Principal };

/** What started a cycle. */
export interface Trigger {
  kind: 'time' | 'event' | 'user' | 'message';
  /** The trigger's name: a cron expression, `every 5s`, a fact threshold, a message type, an operator. */
  name: string;
  at: number;
  data?: Record<string, unknown>;
  /** The W3C `traceparent` of the remote span that asked for this cycle (a message, a task request, an award): the cycle's trace continues it. */
  traceparent?: string;
}

/** A decimal amount with its asset, as a string so no precision is lost (`"1250.00"`, `"USDC"`). */
export interface Amount {
  value: string;
  asset: string;
}

/** What an agent wants to do; it travels up the supervisor chain before it may be acted on. */
export interface ProposedAction {
  /** Dot-named action type, e.g. `payment.send`, `fx.swap`, `gate.set`. */
  type: string;
  /** The capability this action exercises (must be granted by the sandbox). */
  capability: string;
  /** The account the action touches (checked against the agent's permissions). */
  account?: string;
  amount?: Amount;
  counterparty?: string;
  params: Record<string, unknown>;
}

/** Output of the decide phase: one explainable decision. `action: null` means "do nothing". */
export interface Decision {
  id: string;
  action: ProposedAction | null;
  confidence: number;
  rationale: string;
  rulesFired: string[];
  model: string | null;
  /** Every option the cognitive pipeline considered, with its score (absent for plain rule deciders). */
  options?: ScoredOption[];
  /** The id of the chosen option (`hold` when doing nothing won); absent for plain rule deciders. */
  chosen?: string;
  /** What could go wrong with the chosen option, how likely and how bad. */
  risk?: RiskAssessment;
  /** What the chosen option is expected to do to each goal. */
  expectedOutcome?: ExpectedOutcome;
  /** Set when conflicting rules or thresholds gave no action. */
  conflict?: DecisionConflict;
  /** Set when the model could not be reached after its retries and the rules alone decided: why. */
  modelFallback?: string;
  /** The rule parameters (`<rule>.<name>` → value) the decision was taken with; the tuner learns from them. */
  params?: Record<string, number>;
  /** Set when the agent's candidate (shadow) rule set decided these facts differently: how. */
  shadow?: ShadowComparison;
}

/**
 * A candidate rule set's decision on the same facts, kept on a live decision it disagrees with:
 * `changed` (another action), `new` (an action where the live one did nothing), `dropped` (nothing
 * where the live one acted), `failed` (the candidate threw; `rationale` says why).
 */
export interface ShadowComparison {
  /** The candidate rule file, as the agent's `shadow.rules` names it. */
  policy: string;
  kind: 'changed' | 'new' | 'dropped' | 'failed';
  action: ProposedAction | null;
  confidence: number;
  rulesFired: string[];
  rationale: string;
}

/** One candidate action as weighed by the decide pipeline. */
export interface ScoredOption {
  /** `hold`, `rule:<name>`, `strategy:<name>`, `model`. */
  id: string;
  /** Which generator proposed it: `rules`, `strategy`, `model`, `hold`. */
  source: string;
  action: ProposedAction | null;
  /** benefit − cost − risk; null when a constraint rejected the option before evaluation. */
  score: number | null;
  benefit: number | null;
  cost: number | null;
  risk: number | null;
  /** Why a constraint rejected it (limits, budgets, allowed actions). */
  rejected?: string;
  rationale: string;
}

/** One way the chosen option can go wrong. */
export interface RiskFactor {
  what: string;
  /** In [0, 1]. */
  likelihood: number;
  /** In [0, 1], as a fraction of the goal gap the action closes. */
  impact: number;
}

/** The risk of the chosen option: Σ likelihood × impact over its factors, plus the data it rests on. */
export interface RiskAssessment {
  score: number;
  level: 'none' | 'low' | 'medium' | 'high';
  factors: RiskFactor[];
  /** In [0, 1]: the worst `quality` any perceived fact group reported (1 when none did). */
  dataQuality: number;
}

/** The chosen option's expected effect on each goal. */
export interface ExpectedOutcome {
  goals: {
    id: string;
    metric: string;
    before: number | null;
    after: number | null;
    gapBefore: number;
    gapAfter: number;
  }[];
  cost: number;
}

/** Why a decision took no action because its inputs contradict each other. */
export interface DecisionConflict {
  kind: 'rules' | 'band' | 'model';
  detail: string;
}

/** An approval record: nothing reaches `act` without one. */
export interface ApprovalGrant {
  approvalId: string;
  decisionId: string;
  /** `auto` when policy approved without a human, `manual` when a human or agent approved. */
  mode: 'auto' | 'manual';
  by: Principal;
  at: number;
}

/** One stage's answer to a proposal (`sandbox`, `reputation`, `kyb`, `governance`, …), in pipeline order. */
export interface StageVerdict {
  stage: string;
  /** The supervisor role owning the stage. */
  role: string;
  status: 'approved' | 'denied' | 'pending';
  reason: string;
}

/** The supervisor chain's answer to a proposal. */
export interface Verdict {
  status: 'approved' | 'denied' | 'pending';
  /** The supervisor role that gave the final word. */
  by: string;
  reason: string;
  /** Present when approved. */
  grant?: ApprovalGrant;
  /** Present when pending: the approval request to wait for. */
  approvalId?: string;
  /** Present when pending: when the approval request expires (epoch ms). */
  expiresAt?: number;
  /** Every stage that answered, in order, up to the one that gave the final word (absent when no stage ran). */
  stages?: StageVerdict[];
}

/** A coded error, JSON-safe, as stored in machine context. */
export interface PhaseError {
  code: string;
  message: string;
}

/** The result of a cycle, as learned and recorded. */
export interface Outcome {
  status: 'succeeded' | 'failed' | 'denied' | 'rejected' | 'expired' | 'no-action' | 'would-have-sent' | 'refused';
  receipt?: Record<string, unknown>;
  error?: PhaseError;
  durationMs?: number;
  fees?: Amount;
  slippageBps?: number;
  /** Realized profit (positive) or loss of this action, in `pnl.asset` (a swap: received against the pool mid). */
  pnl?: Amount;
  /** The agent's strategy positions valued right after this action (treasury actions), against their cost basis. */
  positions?: PositionValue[];
}

/**
 * One strategy position (an ERC-4626 vault stake, a Uniswap V2 liquidity share) valued now against
 * its average cost basis; decimal strings in `currency`.
 */
export interface PositionValue {
  /** `erc4626:<vault>` or `uniswap-v2-lp:<pair>` (lower-case addresses). */
  position: string;
  currency: string;
  /** What the position is worth now (the vault's `convertToAssets`; the pool share at the reserves' mid). */
  value: string;
  /** What the units held cost (average cost: a removal takes its proportional share). */
  costBasis: string;
  /** `value − costBasis`: above 0 a gain not yet taken. */
  unrealizedPnl: string;
  /** Profit or loss taken by every removal so far (proceeds against the cost they took out). */
  realizedPnl: string;
  /**
   * What the position holds, each asset at the price it is valued at: `value` is the sum of
   * `amount × price`. A price update (`MandateRuntime.priceUpdate`) re-values the holdings it prices.
   */
  holdings?: PositionHolding[];
}

/** One asset a position holds: a vault's underlying, or one token of a pool share. */
export interface PositionHolding {
  asset: string;
  /** Decimal amount of `asset` held. */
  amount: string;
  /** What one `asset` is worth in the position's currency, decimal (`1` for the currency itself). */
  price: string;
}

/** Child kinds, as in Erlang/OTP: permanent always restarts, transient only after an abnormal exit, temporary never. */
export type RestartKind = 'permanent' | 'transient' | 'temporary';

/** Retry and timeout bounds of one agent. Shared between agents of one definition (no per-agent copy). */
export interface AgentLimits {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  phaseTimeoutMs: number;
  approvalTimeoutMs: number;
}

/** The four phases plus the proposal step. */
export type Phase = 'perceive' | 'decide' | 'propose' | 'act' | 'learn';
