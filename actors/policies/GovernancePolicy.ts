import { Engine, type RuleProperties } from 'json-rules-engine';
import { parse as parseYaml } from 'yaml';
import type { Outcome } from '../../machines/index.ts';
import { amountToNumber, formatAmount, parseAmount } from '../amount.ts';
import { RuleDefinitionError } from '../errors.ts';
import { Budget } from './Budget.ts';
import { governanceFileSchema, type GovernanceConfig } from './governanceSchema.ts';
import type { PolicyResult, Proposal, SpendLimits, SupervisorPolicy } from './SupervisorPolicy.ts';

const RANK = { deny: 3, 'require-approval': 2, approve: 1 } as const;

/**
 * The governance supervisor's policy: policy rules (json-rules-engine, YAML),
 * per-agent per-transaction and daily limits, per-group daily budgets, and
 * approval requirements with a timeout. Deny wins over require-approval, which
 * wins over approve. Budget is reserved when a proposal is approved (or when
 * its approval is granted) and released if the effect does not happen.
 */
export class GovernancePolicy implements SupervisorPolicy {
  readonly role = 'governance' as const;
  readonly config: GovernanceConfig;
  readonly #engine: Engine;
  readonly #budget = new Budget();
  readonly #limitsOf: (agentId: string) => SpendLimits | undefined;

  constructor(config: GovernanceConfig, limitsOf: (agentId: string) => SpendLimits | undefined) {
    this.config = config;
    this.#limitsOf = limitsOf;
    this.#engine = new Engine([], { allowUndefinedFacts: true });
    for (const rule of config.rules) {
      this.#engine.addRule({
        name: rule.name,
        priority: rule.priority,
        conditions: rule.conditions,
        event: { type: rule.name },
      } as RuleProperties);
    }
  }

  /** Parses a governance YAML file; errors name the field. */
  static fromYaml(
    text: string,
    limitsOf: (agentId: string) => SpendLimits | undefined,
    source = 'governance.yaml',
  ): GovernancePolicy {
    let raw: unknown;
    try {
      raw = parseYaml(text) ?? {};
    } catch (cause) {
      throw new RuleDefinitionError(`${source} is not valid YAML: ${(cause as Error).message}`, { source }, { cause });
    }
    const parsed = governanceFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RuleDefinitionError(
        `${source}: invalid governance setting at "${issue.path.join('.')}": ${issue.message}`,
        { source, field: issue.path.join('.') },
      );
    }
    return new GovernancePolicy(parsed.data, limitsOf);
  }

  async evaluate(p: Proposal): Promise<PolicyResult> {
    const limits = this.#limitsOf(p.agentId);
    const amount = p.action.amount;
    if (amount !== undefined) {
      const perTx = limits?.perTransaction?.[amount.asset];
      if (perTx === undefined) return { status: 'denied', reason: `no per-transaction limit for ${amount.asset}` };
      // A zero amount is what a broken oracle or a failed conversion produces, never a payment to make
      // (found by the simulator, seed 2: an oracle's 0 became a "0.00" transfer on chain).
      if (parseAmount(amount.value) <= 0n)
        return { status: 'denied', reason: `${amount.value} ${amount.asset} is not a positive amount` };
      if (parseAmount(amount.value) > parseAmount(perTx))
        return {
          status: 'denied',
          reason: `${amount.value} ${amount.asset} exceeds the per-transaction limit ${perTx}`,
        };
      if (limits?.daily?.[amount.asset] === undefined)
        return { status: 'denied', reason: `no daily limit for ${amount.asset}` };
    }
    const facts = {
      action: p.action.type,
      capability: p.action.capability,
      account: p.action.account ?? null,
      amount: amount === undefined ? 0 : amountToNumber(amount.value),
      asset: amount?.asset ?? null,
      counterparty: p.action.counterparty ?? null,
      agent: p.agentId,
      group: p.group,
      confidence: p.decision.confidence,
      dailySpent: amount === undefined ? 0 : Number(formatAmount(this.#budget.spent(p.agentId, amount.asset, p.at))),
      params: p.action.params,
    };
    const { events } = await this.#engine.run(facts);
    const fired = events.map((e) => this.config.rules.find((r) => r.name === e.type)!);
    const top = fired.sort((a, b) => RANK[b.effect] - RANK[a.effect] || b.priority - a.priority)[0];
    if (top?.effect === 'deny') return { status: 'denied', reason: `${top.name}: ${top.reason}` };
    if (top?.effect === 'require-approval') {
      return {
        status: 'pending',
        reason: `${top.name}: ${top.reason}`,
        approvalTimeoutMs: top.timeout ?? this.config.approvalTimeout,
        ...(top.quorum === undefined && top.approvers === undefined
          ? {}
          : {
              requirement: {
                ...(top.quorum === undefined ? {} : { required: top.quorum }),
                ...(top.approvers === undefined ? {} : { approvers: top.approvers }),
              },
            }),
      };
    }
    return this.reserve(p, top === undefined ? 'within policy and limits' : `${top.name}: ${top.reason}`);
  }

  /**
   * Reserves the proposal's amount against the agent's daily limit and its
   * group's budget. Called on auto-approval and again when a pending approval
   * is granted (the budget may have been used up meanwhile).
   */
  reserve(p: Proposal, reason: string): PolicyResult {
    const amount = p.action.amount;
    if (amount === undefined) return { status: 'approved', reason };
    const daily = this.#limitsOf(p.agentId)?.daily?.[amount.asset];
    if (daily === undefined) return { status: 'denied', reason: `no daily limit for ${amount.asset}` };
    if (
      !this.#budget.reserve({
        owner: p.agentId,
        asset: amount.asset,
        value: amount.value,
        limit: daily,
        key: p.decision.id,
        now: p.at,
      })
    ) {
      return { status: 'denied', reason: `daily limit ${daily} ${amount.asset} would be exceeded` };
    }
    const groupDaily = this.config.groupBudgets[p.group]?.daily[amount.asset];
    if (
      groupDaily !== undefined &&
      !this.#budget.reserve({
        owner: `group:${p.group}`,
        asset: amount.asset,
        value: amount.value,
        limit: groupDaily,
        key: p.decision.id,
        now: p.at,
      })
    ) {
      this.#budget.release(p.agentId, amount.asset, p.decision.id);
      return {
        status: 'denied',
        reason: `group ${p.group} daily budget ${groupDaily} ${amount.asset} would be exceeded`,
      };
    }
    return { status: 'approved', reason };
  }

  /**
   * How much of each daily limit (agent) and group budget (`group:<name>`) is used in the 24 h
   * before `now`, with the limit it counts against; owners without a limit are left out.
   */
  budgetUse(now: number): Array<{ owner: string; asset: string; used: string; limit: string; share: number }> {
    const out: Array<{ owner: string; asset: string; used: string; limit: string; share: number }> = [];
    for (const { owner, asset, units } of this.#budget.used(now)) {
      const limit = owner.startsWith('group:')
        ? this.config.groupBudgets[owner.slice('group:'.length)]?.daily[asset]
        : this.#limitsOf(owner)?.daily?.[asset];
      if (limit === undefined || parseAmount(limit) <= 0n) continue;
      // Basis points in bigint, so large amounts keep their precision.
      const share = Number((units * 10_000n) / parseAmount(limit)) / 10_000;
      out.push({ owner, asset, used: formatAmount(units), limit, share });
    }
    return out;
  }

  settle(p: Proposal, outcome: Outcome): void {
    const amount = p.action.amount;
    if (amount === undefined) return;
    // Only an effect that happened (or would have, in dry-run) keeps its reservation.
    if (outcome.status === 'succeeded' || outcome.status === 'would-have-sent') return;
    this.#budget.release(p.agentId, amount.asset, p.decision.id);
    this.#budget.release(`group:${p.group}`, amount.asset, p.decision.id);
  }
}
