import type { Proposal } from '../../actors/index.ts';
import type { Outcome } from '../../machines/index.ts';
import { AgentTrends } from './AgentTrends.ts';
import { LATENCY_BOUNDS, MetricFamily, WAIT_BOUNDS, type FamilySnapshot, type SeriesHandle } from './MetricFamily.ts';
import { PhaseCpuShares, threadCpuSeconds, wallMs, type CpuMark, type CpuReadPolicy } from './PhaseCpuShares.ts';
import { PositionMetrics } from './PositionMetrics.ts';
import { MOVED, SeriesTotals } from './SeriesTotals.ts';

const PHASES = new Set(['perceive', 'decide', 'propose', 'act', 'learn']);
/** Action types that move money to a payee: only these count as payments. */
const PAYMENT_ACTIONS = new Set(['payment.send']);

/** An agent's series of one phase, bound once. */
interface PhaseSeries {
  readonly duration: SeriesHandle;
  readonly cpu: SeriesHandle;
}

/** Where an agent is now and since when (ms), for the duration histograms, with its series bound. */
interface Position {
  agentId: string;
  state: string;
  since: number;
  cycleStart: number | undefined;
  /** The series of each phase it has been in, and of its verdicts, waits and cycles. */
  phases: Map<string, PhaseSeries>;
  verdict: SeriesHandle | undefined;
  approvalWait: SeriesHandle | undefined;
  completed: SeriesHandle | undefined;
  failed: SeriesHandle | undefined;
  /** The sandbox usage last counted: a sandboxed call leaves a new one behind. */
  usage: SandboxUsage | undefined;
  /** The CPU share mark of the phase in flight ({@link PhaseCpuShares.open}), or undefined outside a phase. */
  cpuMark: CpuMark | undefined;
}

/** What the agent's sandbox says its last call used (`Sandbox.lastUsage`). */
interface SandboxUsage {
  readonly cpuMs: number;
  readonly heapBytes?: number;
}

/**
 * The runtime's histograms and financial counters for `/metrics` (and `seriesTotals`, the stored
 * series' exact sums), fed from transitions and from settled actions. Labels are bounded: agent
 * ids, phases, action types, rails, assets, modes and statuses are finite per deployment, and each
 * family folds past 5,000 series.
 */
export class RuntimeTelemetry {
  readonly #now: () => number;
  readonly #region: string;
  readonly #positions = new Map<string, Position>();
  readonly phase = new MetricFamily({
    name: 'mandate_phase_duration_seconds',
    type: 'histogram',
    help: 'Time an agent spent in each phase (perceive, decide, propose, act, learn).',
    labelNames: ['agent', 'phase'],
    bounds: LATENCY_BOUNDS,
  });
  readonly cycle = new MetricFamily({
    name: 'mandate_cycle_duration_seconds',
    type: 'histogram',
    help: 'Time from a trigger to the end of the cycle (idle again or failed), approval waits included.',
    labelNames: ['agent', 'outcome'],
    bounds: LATENCY_BOUNDS,
  });
  readonly verdict = new MetricFamily({
    name: 'mandate_proposal_verdict_seconds',
    type: 'histogram',
    help: 'Time from proposing an action to the supervisors’ verdict (approved, pending, denied).',
    labelNames: ['agent'],
    bounds: LATENCY_BOUNDS,
  });
  readonly approvalWait = new MetricFamily({
    name: 'mandate_approval_wait_seconds',
    type: 'histogram',
    help: 'Time an agent waited for a human or agent approval.',
    labelNames: ['agent'],
    bounds: WAIT_BOUNDS,
  });
  readonly actions = new MetricFamily({
    name: 'mandate_actions_total',
    type: 'counter',
    help: 'Settled actions of every type (gate.set, ledger.annotate, fx.swap, payment.send …) by mode and status.',
    labelNames: ['agent', 'action', 'mode', 'status'],
  });
  readonly payments = new MetricFamily({
    name: 'mandate_payments_total',
    type: 'counter',
    help: 'Payments (payment.send actions only) by rail, mode (dry-run apart from live) and status.',
    labelNames: ['agent', 'rail', 'mode', 'status'],
  });
  readonly volume = new MetricFamily({
    name: 'mandate_payment_volume_total',
    type: 'counter',
    help: 'Amount paid (live) or that would have been paid (dry-run), by asset, agent, rail, mode and region.',
    labelNames: ['agent', 'asset', 'rail', 'mode', 'region'],
  });
  readonly fees = new MetricFamily({
    name: 'mandate_payment_fees_total',
    type: 'counter',
    help: 'Fees of payments, by fee asset, agent, rail and mode.',
    labelNames: ['agent', 'asset', 'rail', 'mode'],
  });
  readonly paymentLatency = new MetricFamily({
    name: 'mandate_payment_latency_seconds',
    type: 'histogram',
    help: 'Time the rail took to execute a payment, by rail and mode.',
    labelNames: ['rail', 'mode'],
    bounds: LATENCY_BOUNDS,
  });
  readonly requestReply = new MetricFamily({
    name: 'mandate_request_reply_seconds',
    type: 'histogram',
    help: 'Time from sending a signed request to its verified reply, by message type and outcome (ok, error, timeout).',
    labelNames: ['type', 'outcome'],
    bounds: LATENCY_BOUNDS,
  });
  readonly sandboxCpu = new MetricFamily({
    name: 'mandate_sandbox_cpu_seconds_total',
    type: 'counter',
    help: 'CPU time the agent’s designer code used inside its sandbox isolate, by the phase it ran in (perceive, decide, learn).',
    labelNames: ['agent', 'phase'],
  });
  readonly sandboxCalls = new MetricFamily({
    name: 'mandate_sandbox_calls_total',
    type: 'counter',
    help: 'Calls into the agent’s sandbox isolate, by phase (mean CPU per call = cpu seconds / calls).',
    labelNames: ['agent', 'phase'],
  });
  readonly sandboxHeap = new MetricFamily({
    name: 'mandate_sandbox_heap_bytes',
    type: 'gauge',
    help: 'Heap in use in the agent’s sandbox isolate after its last call (QuickJS memory_used_size, or V8 used_heap_size read at most every 100 ms), against its memoryMb limit.',
    labelNames: ['agent'],
  });
  readonly agentCpu = new MetricFamily({
    name: 'mandate_agent_cpu_seconds_total',
    type: 'counter',
    help: 'Host (main-thread) CPU time attributed to the agent’s phases, sandboxed or not: the CPU used while phases were in flight, split evenly among them (docs/observability.md).',
    labelNames: ['agent', 'phase'],
  });
  readonly pnl = new MetricFamily({
    name: 'mandate_realized_pnl',
    type: 'gauge',
    help: 'Realized profit (above 0) or loss of settled actions that report one (swaps: received against the pool mid when quoted), by agent, currency and mode.',
    labelNames: ['agent', 'currency', 'mode'],
  });
  readonly trends = new AgentTrends();
  readonly seriesTotals = new SeriesTotals();
  readonly strategyPositions = new PositionMetrics();
  readonly #cpu: PhaseCpuShares<SeriesHandle>;

  /** `cpu` (CPU s), `wall` (monotonic ms) and when to read the CPU ({@link PhaseCpuShares}): a test injects its own. */
  constructor(options: {
    now: () => number;
    region: string;
    cpu?: () => number;
    wall?: () => number;
    cpuReads?: CpuReadPolicy;
  }) {
    this.#now = options.now;
    this.#region = options.region;
    this.#cpu = new PhaseCpuShares({
      cpu: options.cpu ?? threadCpuSeconds,
      wall: options.wall ?? wallMs,
      credit: (series, seconds) => this.agentCpu.incIn(series, seconds),
      ...(options.cpuReads === undefined ? {} : { policy: options.cpuReads }),
    });
  }

  /** One agent transition: closes the duration of the state it left (and counts the sandbox call it made there). */
  onAgentTransition(agentId: string, change: { from: string; to: string }, usage?: SandboxUsage): void {
    const { from, to } = change;
    const now = this.#now();
    let p = this.#positions.get(agentId);
    if (p === undefined) {
      p = {
        agentId,
        state: to,
        since: now,
        cycleStart: undefined,
        phases: new Map(),
        verdict: undefined,
        approvalWait: undefined,
        completed: undefined,
        failed: undefined,
        usage,
        cpuMark: undefined,
      };
      this.#positions.set(agentId, p);
    } else if (p.state === from) {
      const seconds = (now - p.since) / 1000;
      if (PHASES.has(from)) {
        this.phase.observeIn(this.#phaseSeries(p, from).duration, seconds);
        if (usage !== undefined && usage !== p.usage) {
          this.sandboxCpu.inc([agentId, from], usage.cpuMs / 1000);
          this.sandboxCalls.inc([agentId, from]);
          if (usage.heapBytes !== undefined) this.sandboxHeap.set([agentId], usage.heapBytes);
        }
      }
      p.usage = usage;
      if (from === 'propose') this.verdict.observeIn((p.verdict ??= this.verdict.series([agentId])), seconds);
      else if (from === 'awaitingApproval')
        this.approvalWait.observeIn((p.approvalWait ??= this.approvalWait.series([agentId])), seconds);
    }
    if (from === 'idle' && to === 'perceive') p.cycleStart = now;
    else if (p.cycleStart !== undefined && (to === 'idle' || to === 'failed')) {
      const seconds = (now - p.cycleStart) / 1000;
      const series =
        to === 'idle'
          ? (p.completed ??= this.cycle.series([agentId, 'completed']))
          : (p.failed ??= this.cycle.series([agentId, 'failed']));
      this.cycle.observeIn(series, seconds);
      this.trends.onCycle(agentId, seconds, to === 'failed');
      this.seriesTotals.onCycle(agentId, now - p.cycleStart);
      p.cycleStart = undefined;
    }
    const opens = PHASES.has(to);
    if (p.cpuMark !== undefined || opens) {
      // Closes the phase left (p.state; credited at the next CPU read) and opens the one entered.
      const left = p.cpuMark === undefined ? undefined : this.#phaseSeries(p, p.state).cpu;
      p.cpuMark = this.#cpu.step(p.cpuMark, left, opens);
    }
    p.state = to;
    p.since = now;
  }

  /** The agent's series of `phase`, bound on first use. */
  #phaseSeries(p: Position, phase: string): PhaseSeries {
    let s = p.phases.get(phase);
    if (s === undefined) {
      s = { duration: this.phase.series([p.agentId, phase]), cpu: this.agentCpu.series([p.agentId, phase]) };
      p.phases.set(phase, s);
    }
    return s;
  }

  /** A settled action: counted by type; payments also by rail, volume, fees and latency. */
  onSettled(proposal: Proposal, outcome: Outcome, mode: 'dry-run' | 'live'): void {
    const a = proposal.action;
    this.actions.inc([proposal.agentId, a.type, mode, outcome.status]);
    const pnl = Number(outcome.pnl?.value);
    if (outcome.pnl !== undefined && Number.isFinite(pnl))
      this.pnl.inc([proposal.agentId, outcome.pnl.asset, mode], pnl);
    if (outcome.positions !== undefined) this.strategyPositions.set(proposal.agentId, outcome.positions);
    if (!PAYMENT_ACTIONS.has(a.type)) return;
    const receipt = outcome.receipt ?? {};
    const rail =
      typeof receipt.rail === 'string'
        ? receipt.rail
        : typeof receipt.actuator === 'string'
          ? receipt.actuator
          : 'none';
    this.payments.inc([proposal.agentId, rail, mode, outcome.status]);
    this.seriesTotals.onPayment(proposal.agentId, a.amount, outcome);
    if (!MOVED.has(outcome.status)) return;
    const amount = Number(a.amount?.value);
    if (a.amount !== undefined && Number.isFinite(amount))
      this.volume.inc([proposal.agentId, a.amount.asset, rail, mode, this.#region], amount);
    const fee = Number(outcome.fees?.value);
    if (outcome.fees !== undefined && Number.isFinite(fee))
      this.fees.inc([proposal.agentId, outcome.fees.asset, rail, mode], fee);
    if (outcome.durationMs !== undefined) this.paymentLatency.observe([rail, mode], outcome.durationMs / 1000);
  }

  /** Forgets an agent that left the runtime (its series stay: counters never go back). */
  forget(agentId: string): void {
    const p = this.#positions.get(agentId);
    if (p?.cpuMark !== undefined) this.#cpu.close(p.cpuMark, undefined);
    this.#positions.delete(agentId);
  }

  /** Every family as it stands now (phases that ended get their CPU share first). */
  families(): FamilySnapshot[] {
    this.#cpu.flush();
    return [
      this.phase,
      this.cycle,
      this.verdict,
      this.approvalWait,
      this.actions,
      this.payments,
      this.volume,
      this.fees,
      this.paymentLatency,
      this.requestReply,
      this.sandboxCpu,
      this.sandboxCalls,
      this.sandboxHeap,
      this.agentCpu,
      this.pnl,
      ...this.strategyPositions.families(),
    ]
      .map((f) => f.snapshot())
      .concat(this.trends.families());
  }
}
