/**
 * The agents overview's rows, from what the gateway already serves: each agent's summary
 * (`GET /api/agents`: state, health, reputation, failures, restarts), its newest act from the audit
 * trail (`agent.<action>.<outcome>` entries: action, outcome, amount) and its newest transition
 * from the live stream (the age of its last cycle).
 */
import type { AgentSummary, AuditEntry, TransitionEvent } from '../types.ts';

/** One agent's line in the overview. */
export interface OverviewRow {
  id: string;
  state: string;
  /** `paused`, `killed` or empty. */
  flags: string[];
  lastAction: string | null;
  outcome: string | null;
  /** `900.00 USDC`, or null when the act moved no amount. */
  amount: string | null;
  /** When the agent last moved (a transition seen, else its newest act), epoch ms. */
  lastAt: number | null;
  reputation: number;
  /** `up`, `down` or `same` against the score shown before. */
  trend: 'up' | 'down' | 'same';
  health: number;
  failures: number;
  restarts: number;
  cycles: number;
}

/** An act entry's action and outcome: `agent.payment.send.would-have-sent` → `payment.send`, `would-have-sent`. */
export function actOf(e: Pick<AuditEntry, 'action' | 'status'>): { action: string; outcome: string } | undefined {
  if (!e.action.startsWith('agent.')) return undefined;
  const parts = e.action.slice('agent.'.length).split('.');
  if (parts.length < 2) return undefined;
  const outcome = e.status ?? parts[parts.length - 1]!;
  return { action: parts.slice(0, -1).join('.'), outcome };
}

/** Health and reputation colour bands: good ≥ 70, warn ≥ 40, bad below. */
export function band(score: number): 'good' | 'warn' | 'bad' {
  return score >= 70 ? 'good' : score >= 40 ? 'warn' : 'bad';
}

/** What {@link overviewRows} joins. */
export interface OverviewSources {
  agents: readonly AgentSummary[];
  /** Audit entries, newest first. */
  acts: readonly AuditEntry[];
  /** Live transitions, newest first. */
  feed: readonly TransitionEvent[];
  /** Each agent's reputation before its latest change (for the trend). */
  before?: ReadonlyMap<string, number>;
}

/** The rows, in the order of `agents`. */
export function overviewRows({ agents, acts, feed, before = new Map() }: OverviewSources): OverviewRow[] {
  const newestAct = new Map<string, AuditEntry>();
  for (const e of acts) {
    const agent = e.agentId ?? (typeof e.data.agentId === 'string' ? e.data.agentId : undefined);
    if (agent !== undefined && !newestAct.has(agent) && actOf(e) !== undefined) newestAct.set(agent, e);
  }
  const newestMove = new Map<string, number>();
  for (const t of feed) if (!newestMove.has(t.actorId)) newestMove.set(t.actorId, t.at);
  return agents.map((a) => {
    const act = newestAct.get(a.id);
    const parsed = act === undefined ? undefined : actOf(act);
    const data = (act?.data ?? {}) as Record<string, unknown>;
    const amount =
      (typeof data.amount === 'string' || typeof data.amount === 'number') && typeof data.currency === 'string'
        ? `${data.amount} ${data.currency}`
        : null;
    const moved = [newestMove.get(a.id), act?.at].filter((x): x is number => x !== undefined);
    const previous = before.get(a.id);
    return {
      id: a.id,
      state: a.state,
      flags: [a.killed ? 'killed' : '', a.paused ? 'paused' : ''].filter((f) => f !== ''),
      lastAction: parsed?.action ?? null,
      outcome: parsed?.outcome ?? null,
      amount,
      lastAt: moved.length === 0 ? null : Math.max(...moved),
      reputation: a.reputation,
      trend: previous === undefined || previous === a.reputation ? 'same' : a.reputation > previous ? 'up' : 'down',
      health: a.health.score,
      failures: a.failures,
      restarts: a.restarts,
      cycles: a.cycles,
    };
  });
}
