/**
 * Waits, at shutdown, for agents in the middle of a phase to reach its end: a perceive reading the
 * chain, an act sending a payment. The store and messaging close after, so the phase's writes land
 * and its failure (if any) is recorded, instead of racing closed connections.
 */
import { ErrorCode } from '../../kernel/index.ts';
import { isWorking, type AgentHost, type AlertInput } from './AgentHost.ts';

/** How long shutdown waits for running phases (a payment being sent) before it closes the store anyway. */
const SHUTDOWN_PHASE_WAIT_MS = 5_000;

/** Shutdown's drain: waits for running phases; alerts `MANDATE_ERR_SHUTDOWN_DRAIN_TIMEOUT` naming any still running. */
export async function drainPhases(agents: Iterable<AgentHost>, alert: (a: AlertInput) => void): Promise<void> {
  const busy = await settlePhases(agents, SHUTDOWN_PHASE_WAIT_MS);
  if (busy.length > 0)
    alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_SHUTDOWN_DRAIN_TIMEOUT,
      message: `stopping with ${busy.join(', ')} still in a phase after ${SHUTDOWN_PHASE_WAIT_MS} ms`,
    });
}

/** Resolves once no agent is in a working phase, or after `maxMs`; returns the ids still working then. */
export async function settlePhases(agents: Iterable<AgentHost>, maxMs: number, pollMs = 20): Promise<string[]> {
  const all = [...agents];
  const until = Date.now() + maxMs;
  let busy = all.filter((h) => isWorking(h.state));
  while (busy.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, pollMs));
    busy = busy.filter((h) => isWorking(h.state));
  }
  return busy.map((h) => h.id);
}
