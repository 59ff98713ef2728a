import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest-random-weight) hashing: the node of `nodes` with the highest hash of
 * (agent, node). Every node computes the same owner from the same membership, and a node joining
 * or leaving moves only the agents it wins or held — about 1/n of them.
 */
export function rendezvousOwner(agentId: string, nodes: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const node of nodes) {
    const weight = createHash('sha256').update(agentId).update('\u0000').update(node).digest().readBigUInt64BE(0);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && node < best)) {
      best = node;
      bestWeight = weight;
    }
  }
  return best;
}
