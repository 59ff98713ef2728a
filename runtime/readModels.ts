import type { RuntimeServices } from './composeRuntime.ts';
import { isWorking, type AgentHost } from './host/AgentHost.ts';
import { machineGraph } from './machineGraph.ts';
import { healthScore, type HealthScore } from './health/healthScore.ts';
import { agentReputation } from './reputation/agentReputation.ts';
import type { AgentDetail, AgentSummary, CapabilityInfo, RuntimeMetrics } from './MandateRuntime.ts';
import type { PassivatedAgent } from './passivation/Passivation.ts';
import { AgentIdentity } from '../transport/index.ts';

/** The health score of a hosted agent (docs/health.md). */
export function agentHealth(s: RuntimeServices, h: AgentHost): HealthScore {
  const box = h.def.sandbox;
  return healthScore({
    cycles: h.cycles,
    errors: h.errors,
    meanPhaseMs: h.phasesRun === 0 ? 0 : h.phaseMs / h.phasesRun,
    phaseTimeoutMs: h.def.limits.phaseTimeout,
    reputation: s.reputation.score(h.id),
    sandboxCpuShare: box?.lastUsage === undefined ? undefined : box.lastUsage.cpuMs / box.limits.cpuMs,
  });
}

/** One agent as operators see it (copies: the caller may keep or change it). */
export function agentSummary(s: RuntimeServices, h: AgentHost): AgentSummary {
  const ctx = h.context;
  return {
    id: h.id,
    node: s.nodeId,
    did: h.identity.did,
    capabilities: [...h.def.capabilities],
    state: h.state,
    parentId: h.parent.id,
    group: h.def.group,
    dependsOn: [...h.def.dependsOn],
    reputation: s.reputation.score(h.id),
    ...(h.version === undefined ? {} : { version: { ...h.version } }),
    health: agentHealth(s, h),
    mode: s.modeFor(h.def),
    paused: h.state === 'paused' || ctx.pauseRequested,
    killed: h.state === 'killed',
    cycle: ctx.cycle,
    cycles: h.cycles,
    restarts: h.restarts,
    failures: h.failures,
    ...(s.options.chain === undefined
      ? {}
      : { wallet: { chain: `eip155:${s.options.chain.chainId}`, address: s.options.chain.walletOf(h.id) } }),
  };
}

/**
 * A passivated agent as operators see it: state `passivated`, `node` the node that would reactivate it (this
 * one, which keeps its triggers and lease). It keeps only cycles, restarts and failures, so its health counts
 * no phase errors or latency. The DID is derived from the stored seed when the summary is serialized (a
 * getter), so listing a million passivated agents does not derive a million keys.
 */
export function passivatedSummary(s: RuntimeServices, d: PassivatedAgent): AgentSummary {
  const id = d.def.id;
  const reputation = s.reputation.score(id);
  const summary: Omit<AgentSummary, 'did'> = {
    id,
    node: s.nodeId,
    capabilities: [...d.def.capabilities],
    state: 'passivated',
    parentId: `sandbox:${d.def.group}`,
    group: d.def.group,
    dependsOn: [...d.def.dependsOn],
    reputation,
    health: healthScore({
      cycles: d.cycles,
      errors: 0,
      meanPhaseMs: 0,
      phaseTimeoutMs: d.def.limits.phaseTimeout,
      reputation,
      sandboxCpuShare: undefined,
    }),
    mode: s.modeFor(d.def),
    paused: false,
    killed: false,
    cycle: 0,
    cycles: d.cycles,
    restarts: d.restarts,
    failures: d.failures,
    ...(s.options.chain === undefined
      ? {}
      : { wallet: { chain: `eip155:${s.options.chain.chainId}`, address: s.options.chain.walletOf(id) } }),
  };
  const seed = d.seed;
  return Object.defineProperty(summary, 'did', {
    enumerable: true,
    get: () => (seed === undefined ? '' : AgentIdentity.fromSeed(seed).did),
  }) as AgentSummary;
}

/** An agent with its context (limits left out), machine graph and last 50 transitions. */
export function agentDetail(s: RuntimeServices, h: AgentHost): AgentDetail {
  const { limits: _l, ...context } = h.context;
  return {
    ...agentSummary(s, h),
    reputationScore: agentReputation(s.reputation, h.id),
    context: context,
    machine: machineGraph(h.actor.logic),
    recent: s.journal.recent(h.id).slice(-50),
  };
}

/** Every capability held, with its catalog description and holders. */
export function capabilityList(s: RuntimeServices): CapabilityInfo[] {
  const out = new Map<string, string[]>();
  for (const h of s.tree.agents()) for (const c of h.def.capabilities) out.set(c, [...(out.get(c) ?? []), h.id]);
  return [...out].map(([name, agents]) => ({
    name,
    description: s.options.capabilityCatalog?.get(name) ?? '',
    agents,
  }));
}

/** Payments (payment actions only) by status, summed over agents, rails and modes. */
function paymentsByStatus(s: RuntimeServices): Record<string, number> {
  const out: Record<string, number> = {};
  for (const series of s.telemetry?.payments.snapshot().series ?? [])
    out[series.labels.status!] = (out[series.labels.status!] ?? 0) + (series.value ?? 0);
  return out;
}

/** Counters for `/metrics`. */
export function runtimeMetrics(s: RuntimeServices): RuntimeMetrics {
  let phases = 0;
  for (const h of s.tree.agents()) if (isWorking(h.state) || h.state === 'retrying') phases++;
  return {
    hosted: { active: s.tree.size, passivated: s.passivation.size },
    queues: { phases, persistence: s.writer?.backlog ?? 0 },
    agents: [...s.tree.agents()].map((h) => ({
      id: h.id,
      cycles: h.cycles,
      failures: h.failures,
      restarts: h.restarts,
      state: h.state,
      health: agentHealth(s, h).score,
    })),
    approvalsPending: s.approvals.pending,
    payments: paymentsByStatus(s),
    actions: { ...s.pipeline.outcomes },
    alerts: s.alertBook.counts(),
    families: [...(s.telemetry?.families() ?? []), ...(s.tracing?.exporter.families() ?? [])],
    trends: s.telemetry?.trends.report() ?? [],
    messages: { ...(s.messaging?.counters ?? { sent: 0, received: 0, rejected: 0 }) },
  };
}
