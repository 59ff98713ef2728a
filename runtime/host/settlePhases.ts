/**
 * Waits, at shutdown, for agents in the middle of a phase to reach its end: a perceive reading the
 * chain, an act sending a payment. The store and messaging close after, so the phase's writes land
 * and its failure (if any) is recorded, instead of racing closed connections.
 */
import { isWorking, type AgentHost } from './AgentHost.ts';

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
