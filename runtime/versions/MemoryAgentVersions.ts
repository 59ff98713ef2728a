import type { AgentVersionRow, AgentVersionStore, VersionCandidate, VersionStamp } from './AgentVersion.ts';

/** One agent's versions: candidate `i` is version `i + 1`. */
interface History {
  readonly versions: VersionCandidate[];
  active: number | undefined;
}

/**
 * Agent versions in memory, for a runtime without a store (tests, simulations): same rules, nothing
 * kept across processes. It keeps the candidates themselves, not copies of their data: a version's
 * definition is rebuilt from the definition object when it is listed, so an idle agent costs a
 * few hundred bytes here, not a second copy of its definition.
 */
export class MemoryAgentVersions implements AgentVersionStore {
  readonly #agents = new Map<string, History>();

  recordVersion(v: VersionCandidate): Promise<{ version: VersionStamp; created: boolean }> {
    const history = this.#agents.get(v.agentId);
    if (history === undefined) {
      // One version is the common case: an array of exactly one, not a grown one.
      this.#agents.set(v.agentId, { versions: [v], active: undefined });
      return Promise.resolve({ version: stampOf(v, 1), created: true });
    }
    const at = history.versions.findIndex((c) => c.hash === v.hash);
    if (at >= 0) return Promise.resolve({ version: stampOf(history.versions[at]!, at + 1), created: false });
    history.versions.push(v);
    return Promise.resolve({ version: stampOf(v, history.versions.length), created: true });
  }

  listVersions(agentId: string): Promise<AgentVersionRow[]> {
    const versions = this.#agents.get(agentId)?.versions ?? [];
    return Promise.resolve(
      versions.map((c, i) => ({
        agentId: c.agentId,
        number: i + 1,
        hash: c.hash,
        label: c.label,
        ...c.content(),
        createdAt: c.createdAt,
      })),
    );
  }

  setActiveVersion(agentId: string, number: number): Promise<void> {
    this.#history(agentId).active = number;
    return Promise.resolve();
  }

  activeVersion(agentId: string): Promise<number | undefined> {
    return Promise.resolve(this.#agents.get(agentId)?.active);
  }

  activeVersions(): Promise<Map<string, number>> {
    const active = [...this.#agents].flatMap(([id, h]) => (h.active === undefined ? [] : [[id, h.active] as const]));
    return Promise.resolve(new Map(active));
  }

  #history(agentId: string): History {
    let history = this.#agents.get(agentId);
    if (history === undefined) {
      history = { versions: [], active: undefined };
      this.#agents.set(agentId, history);
    }
    return history;
  }
}

const stampOf = (c: VersionCandidate, number: number): VersionStamp => ({ number, hash: c.hash, label: c.label });
