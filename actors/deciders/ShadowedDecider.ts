import type { ShadowComparison } from '../../machines/index.ts';
import type { Decider, DraftDecision, TunableDecider } from './RulesDecider.ts';
import { compareActions } from './sameAction.ts';

/**
 * Shadow policy: the live decider decides, and a candidate (a new rule set, with the agent's goals and
 * decision settings) decides the same facts beside it. The live decision is what the agent acts on;
 * when the candidate disagrees (or throws) the live decision carries `shadow` saying how, and the
 * runtime files it as a review item. The candidate never acts, and its failure never fails the cycle.
 *
 * @example
 * const decide = new ShadowedDecider(live, candidate, 'rules/fx-rebalancer.next.yaml');
 */
export class ShadowedDecider implements Decider {
  readonly #live: Decider;
  readonly #candidate: Decider;
  readonly #policy: string;
  readonly tunable: TunableDecider | undefined;

  constructor(live: Decider, candidate: Decider, policy: string) {
    this.#live = live;
    this.#candidate = candidate;
    this.#policy = policy;
    // Only the live rules are tuned: a candidate is judged as written.
    this.tunable = live.tunable;
  }

  async decide(facts: Record<string, unknown>): Promise<DraftDecision> {
    const [live, candidate] = await Promise.all([
      this.#live.decide(facts),
      this.#candidate.decide(facts).then(
        (d) => d,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      ),
    ]);
    const shadow = this.#compare(live, candidate);
    return shadow === undefined ? live : { ...live, shadow };
  }

  #compare(live: DraftDecision, candidate: DraftDecision | Error): ShadowComparison | undefined {
    const policy = this.#policy;
    if (candidate instanceof Error)
      return { policy, kind: 'failed', action: null, confidence: 0, rulesFired: [], rationale: candidate.message };
    const kind = compareActions(live.action, candidate.action);
    if (kind === 'same') return undefined;
    const { action, confidence, rulesFired, rationale } = candidate;
    return { policy, kind, action, confidence, rulesFired, rationale };
  }
}
