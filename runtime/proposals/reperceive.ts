import { factDrift, type Proposal } from '../../actors/index.ts';
import type { SupervisionTree } from '../supervision/SupervisionTree.ts';

/** What a re-perceive needs from the runtime. */
export interface ReperceiveDeps {
  tree: Pick<SupervisionTree, 'get'>;
  clock: { now(): number };
  /** The runtime's what-if overrides, applied to the new facts as the perceive phase applies them. */
  overrideFacts(facts: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Zero trust's extra verification of a flagged proposal: the agent's perceiver runs again (in its
 * sandbox, for a sandboxed agent; nothing is published to threshold triggers) and the facts the
 * decision was taken on must still hold ({@link factDrift}: numbers within 5%, everything else
 * equal). A fact that moved, a fact no longer perceived, a decision taken on no facts, or a
 * perceiver that fails or returns no object of facts is not a confirmation: the proposal then waits
 * for a human approval.
 */
export async function reperceive(deps: ReperceiveDeps, p: Proposal): Promise<{ ok: boolean; reason: string }> {
  const host = deps.tree.get(p.agentId);
  if (host === undefined) return { ok: false, reason: `${p.agentId} is not hosted here, so it cannot perceive again` };
  let facts: unknown;
  try {
    const trigger = (p.trigger ?? { kind: 'user', name: 'unknown', at: p.at }) as unknown as Record<string, unknown>;
    facts = await host.def.perceive({ agentId: p.agentId, now: deps.clock.now(), trigger });
  } catch (e) {
    return { ok: false, reason: `the re-perceive failed: ${(e as Error).message}` };
  }
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts))
    return { ok: false, reason: 'the re-perceive returned no object of facts' };
  const drift = factDrift(p.facts, deps.overrideFacts(facts as Record<string, unknown>));
  if (drift.reasons.length > 0) return { ok: false, reason: `a re-perceive disagrees: ${drift.reasons.join('; ')}` };
  if (drift.agreeing === 0)
    return { ok: false, reason: 'the decision was taken on no facts a re-perceive could confirm' };
  return { ok: true, reason: `a re-perceive agrees on ${drift.agreeing} fact${drift.agreeing === 1 ? '' : 's'}` };
}
