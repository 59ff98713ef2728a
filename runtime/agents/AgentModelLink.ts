import { MODEL_COMPLETE, type ModelRequester } from '../../actors/index.ts';
import type { AgentEndpoint, CapabilityRegistry, Reply, RequestMessage } from '../../transport/index.ts';

/**
 * The asking side of `llm: { provider: agent, agent: <id> }`: the `ModelRequester` a `LocalAgentProvider`
 * sends through. The agent's decider is built when its YAML loads, before the agent is on the bus, so the
 * runtime's messaging binds the agent's endpoint here when it attaches the agent (and unbinds it when the
 * agent leaves this node). A request names the answering agent by id; it goes to the did the registry lists
 * for that id among the holders of `model.complete`, signed by the asking agent.
 */
export class AgentModelLink implements ModelRequester {
  #endpoint: AgentEndpoint | undefined;
  #registry: CapabilityRegistry | undefined;

  /** The asking agent is on the bus: its endpoint signs, the registry resolves the answering agent. */
  bind(endpoint: AgentEndpoint, registry: CapabilityRegistry): void {
    this.#endpoint = endpoint;
    this.#registry = registry;
  }

  /** The asking agent left this node's bus (detached, moved, replaced by another version). */
  unbind(endpoint: AgentEndpoint): void {
    if (this.#endpoint !== endpoint) return;
    this.#endpoint = undefined;
    this.#registry = undefined;
  }

  /** Rejects (the provider then treats the model as unreachable) when unbound or when no such agent serves models. */
  async request(message: RequestMessage): Promise<Reply> {
    const endpoint = this.#endpoint;
    const registry = this.#registry;
    if (endpoint === undefined || registry === undefined)
      throw new Error('the asking agent is not attached to the message bus');
    const to = message.to.startsWith('did:') ? message.to : await didOf(registry, message.to);
    return endpoint.request({ ...message, to });
  }
}

async function didOf(registry: CapabilityRegistry, agentId: string): Promise<string> {
  const holders = await registry.discover(MODEL_COMPLETE);
  const found = holders.find((d) => d.id === agentId);
  if (found === undefined)
    throw new Error(
      `no agent "${agentId}" holding ${MODEL_COMPLETE} is registered (${holders.length} other holder(s)); give it the capability ${MODEL_COMPLETE}`,
    );
  return found.did;
}
