/**
 * One dry-run cycle of every agent of a what-if runtime, reported as one row per agent.
 */
import type { Decision, ProposedAction } from '../../machines/index.ts';
import { NotFoundError } from '../errors.ts';
import type { MandateRuntime } from '../MandateRuntime.ts';
import type { ScenarioFacts } from './scenarioSpec.ts';

/** What one agent decided in a scenario: exactly the fields `mandate simulate --json` prints. */
export interface SimulationRow {
  agent: string;
  /**
   * Every option the decide pipeline weighed. A plain rule decider does not score: its one option
   * is the fired rule's action (`rule:<name>`, score null), none when no rule fired.
   */
  options: { id: string; action: ProposedAction | null; score: number | null; rejected?: string }[];
  /** The chosen option's id (`hold` when doing nothing won), or null when nothing was chosen. */
  chosen: string | null;
  confidence: number | null;
  risk: Decision['risk'] | null;
  expectedOutcome: Decision['expectedOutcome'] | null;
  rulesFired: string[];
  /** The supervisor chain's answer, or why there was none (`not-started`, `no-action`, `conflict`). */
  verdict: { status: string; by: string; reason: string } | null;
}

/** Runs one scenario: builds a what-if runtime with `facts`, runs a cycle of each agent (or `agent` only), disposes it. */
export type Simulator = (facts: ScenarioFacts, options?: { agent?: string }) => Promise<SimulationRow[]>;

const SETTLED = new Set(['idle', 'awaitingApproval', 'failed', 'killed', 'paused', 'stopped']);

/** The options of a decision as a row shows them. */
function optionsOf(d: Decision | null | undefined): SimulationRow['options'] {
  if (d == null) return [];
  if (d.options === undefined)
    return d.action === null ? [] : [{ id: `rule:${d.rulesFired[0] ?? '?'}`, action: d.action, score: null }];
  return d.options.map((o) => ({
    id: o.id,
    action: o.action,
    score: o.score,
    ...(o.rejected === undefined ? {} : { rejected: o.rejected }),
  }));
}

/** Why a cycle has no verdict of the supervisor chain: not started, not settled, a conflict or no action. */
function noVerdict(
  runtime: MandateRuntime,
  id: string,
  { started, restarted }: { started: boolean; restarted: boolean },
): SimulationRow['verdict'] {
  const agent = runtime.getAgent(id)!;
  if (restarted)
    return {
      status: 'crashed',
      by: agent.parentId ?? 'supervisor',
      reason: 'the cycle crashed; the supervisor restarted the agent',
    };
  const decision = (agent.context as { decision?: Decision | null }).decision;
  if (!started) {
    const closed = agent.dependsOn.find((g) => runtime.gate(g)?.open !== true);
    return closed === undefined
      ? { status: 'not-started', by: 'runtime', reason: `agent is ${agent.state}` }
      : { status: 'not-started', by: 'gate', reason: `gate "${closed}" is closed` };
  }
  if (agent.cycle === 0 || !SETTLED.has(agent.state))
    return {
      status: 'unsettled',
      by: 'runtime',
      reason: `agent still ${agent.state} when the simulation stopped waiting`,
    };
  if (decision?.conflict !== undefined) return { status: 'conflict', by: 'decide', reason: decision.rationale };
  return { status: 'no-action', by: 'decide', reason: decision?.rationale ?? 'no decision' };
}

/**
 * Triggers one cycle of each agent of `runtime` (a dry-run runtime built with the scenario's fact
 * overrides and no time triggers), in spawn order so pre-checks go first, waits until each settles
 * (or `settleMs` passes) and reads back its decision and verdict. Nothing is sent in dry-run.
 */
export async function simulateAgents(
  runtime: MandateRuntime,
  facts: ScenarioFacts,
  options: { agent?: string; settleMs?: number } = {},
): Promise<SimulationRow[]> {
  if (options.agent !== undefined && runtime.getAgent(options.agent) === undefined)
    throw new NotFoundError('agent', options.agent, "the system's agents are its agents/ files; check the --agent id");
  const rows: SimulationRow[] = [];
  for (const { id, state } of runtime.listAgents()) {
    // Passivated agents have no actor to simulate on (as before they were listed).
    if (state === 'passivated' || (options.agent !== undefined && id !== options.agent)) continue;
    const restarts = runtime.getAgent(id)!.restarts;
    const started = await runtime.trigger(id, { kind: 'human', id: 'simulation' }, { scenario: facts });
    const deadline = Date.now() + (options.settleMs ?? 10_000);
    const now = () => runtime.getAgent(id)!;
    const running = () => now().restarts === restarts && (now().cycle === 0 || !SETTLED.has(now().state));
    while (started && running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const agent = now();
    const ctx = agent.context as {
      decision?: Decision | null;
      verdict?: { status: string; by: string; reason: string } | null;
    };
    const d = ctx.decision;
    rows.push({
      agent: id,
      options: optionsOf(d),
      chosen: d?.chosen ?? (d?.action == null ? null : `rule:${d.rulesFired[0] ?? '?'}`),
      confidence: d?.confidence ?? null,
      risk: d?.risk ?? null,
      expectedOutcome: d?.expectedOutcome ?? null,
      rulesFired: d?.rulesFired ?? [],
      verdict:
        ctx.verdict == null || !started
          ? noVerdict(runtime, id, { started, restarted: agent.restarts > restarts })
          : { status: ctx.verdict.status, by: ctx.verdict.by, reason: ctx.verdict.reason },
    });
  }
  return rows;
}
