/**
 * Waits for agents in the middle of a phase to reach its end: a perceive reading the chain, an act
 * sending a payment. Shutdown waits so the store and messaging close after the phase's writes land
 * (and its failure, if any, is recorded) instead of racing closed connections; a placement handover
 * waits so the successor resumes from a snapshot taken between phases.
 */
import { ErrorCode, systemClock, type Clock } from '../../kernel/index.ts';
import { isWorking, type AgentHost, type AlertInput } from './AgentHost.ts';

/** How long shutdown waits for running phases (a payment being sent) before it closes the store anyway. */
const SHUTDOWN_PHASE_WAIT_MS = 5_000;

/** Shutdown's drain: waits for running phases; alerts `MANDATE_ERR_SHUTDOWN_DRAIN_TIMEOUT` naming any still running. */
export async function drainPhases(agents: Iterable<AgentHost>, alert: (a: AlertInput) => void): Promise<void> {
  const busy = await settlePhases(agents, { maxMs: SHUTDOWN_PHASE_WAIT_MS });
  if (busy.length > 0)
    alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_SHUTDOWN_DRAIN_TIMEOUT,
      message: `stopping with ${busy.join(', ')} still in a phase after ${SHUTDOWN_PHASE_WAIT_MS} ms`,
    });
}

/** Options of {@link settlePhases}. */
export interface SettleOptions {
  /** The longest wait, in ms of `clock`. */
  maxMs: number;
  /** How often the agents' states are looked at (default 20 ms, real time). */
  pollMs?: number;
  /** The clock `maxMs` is measured on (default the wall clock: shutdown runs whatever the runtime's clock does). */
  clock?: Pick<Clock, 'now'>;
  /** Whether an agent in `state` is still busy (default: in a working phase). */
  busy?: (state: string) => boolean;
}

/** Resolves once no agent is busy, or after `maxMs`; returns the ids still busy then. */
export async function settlePhases(
  agents: Iterable<Pick<AgentHost, 'id' | 'state'>>,
  { maxMs, pollMs = 20, clock = systemClock, busy: isBusy = isWorking }: SettleOptions,
): Promise<string[]> {
  const until = clock.now() + maxMs;
  let busy = [...agents].filter((h) => isBusy(h.state));
  while (busy.length > 0 && clock.now() < until) {
    await new Promise((r) => setTimeout(r, pollMs));
    busy = busy.filter((h) => isBusy(h.state));
  }
  return busy.map((h) => h.id);
}
