import { BONUS_ABOVE, limitFactor, WARNING_BELOW, type ReputationPolicy } from '../../actors/index.ts';
import type { RuntimeServices } from '../composeRuntime.ts';
import { NotFoundError } from '../errors.ts';
import type { ReputationEvent } from '../persistence/ReputationEvent.ts';
import type { StakePosition } from './StakeLedger.ts';

/** An agent's reputation as operators see it (docs/reputation.md). */
export interface AgentReputation {
  /** Overall, 0–100, two decimals, decayed to now. */
  overall: number;
  /** What slashing took off the overall score (decays with the dimensions). */
  penalty: number;
  reliability: number;
  efficiency: number;
  cooperation: number;
  compliance: number;
  financialResponsibility: number;
  /** The fraction of its configured per-transaction limits the agent may use now. */
  limitFactor: number;
  /** `suspended` below the floor (nothing with an amount approved), `warning` below 50, `bonus` above 90. */
  standing: 'suspended' | 'warning' | 'normal' | 'bonus';
  /** When it last changed (epoch ms); null: no history yet, the initial score. */
  updatedAt: number | null;
}

/** {@link AgentReputation} with the newest changes from the store's history. */
export interface AgentReputationReport extends AgentReputation {
  agentId: string;
  /** Newest first; empty without a store. */
  history: ReputationEvent[];
  /** The agent's stake and its newest entries (up to the same limit); null when it posted none. */
  stake: StakePosition | null;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** The reputation read model of one agent, decayed to now. */
export function agentReputation(policy: ReputationPolicy, agentId: string): AgentReputation {
  const s = policy.dimensions(agentId);
  const overall = r2(s.overall);
  const standing =
    overall < policy.minScore
      ? 'suspended'
      : overall < WARNING_BELOW
        ? 'warning'
        : overall > BONUS_ABOVE
          ? 'bonus'
          : 'normal';
  return {
    overall,
    penalty: r2(s.penalty),
    reliability: r2(s.reliability),
    efficiency: r2(s.efficiency),
    cooperation: r2(s.cooperation),
    compliance: r2(s.compliance),
    financialResponsibility: r2(s.financialResponsibility),
    limitFactor: Math.round(limitFactor(overall) * 10_000) / 10_000,
    standing,
    updatedAt: policy.state(agentId)?.at ?? null,
  };
}

/** The report of GET /api/agents/:id/reputation: the read model and up to `limit` changes from the store. */
export async function agentReputationReport(
  s: Pick<RuntimeServices, 'reputation' | 'tree' | 'passivation' | 'options' | 'stakes'>,
  { agentId, limit }: { agentId: string; limit: number },
): Promise<AgentReputationReport> {
  // Hosted here, or passivated here: an id this node never ran has no reputation to show.
  if (s.tree.get(agentId) === undefined && s.passivation.definition(agentId) === undefined)
    throw new NotFoundError('agent', agentId);
  const store = s.options.store?.reputation;
  const history = store === undefined ? [] : await store.list(agentId, limit);
  const stake = (await s.stakes.position(agentId, limit)) ?? null;
  return { agentId, ...agentReputation(s.reputation, agentId), history, stake };
}
