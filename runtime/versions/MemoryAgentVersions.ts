import type { AgentVersionRow, AgentVersionStore } from './AgentVersion.ts';

/** Agent versions in memory, for a runtime without a store (tests, simulations): same rules, nothing kept. */
export class MemoryAgentVersions implements AgentVersionStore {
  readonly #rows = new Map<string, AgentVersionRow[]>();
  readonly #active = new Map<string, number>();

  recordVersion(v: Omit<AgentVersionRow, 'number'>): Promise<{ version: AgentVersionRow; created: boolean }> {
    const rows = this.#rows.get(v.agentId) ?? [];
    this.#rows.set(v.agentId, rows);
    const same = rows.find((r) => r.hash === v.hash);
    if (same !== undefined) return Promise.resolve({ version: same, created: false });
    const version = Object.freeze({ ...v, number: rows.length + 1 });
    rows.push(version);
    return Promise.resolve({ version, created: true });
  }

  listVersions(agentId: string): Promise<AgentVersionRow[]> {
    return Promise.resolve([...(this.#rows.get(agentId) ?? [])]);
  }

  setActiveVersion(agentId: string, number: number): Promise<void> {
    this.#active.set(agentId, number);
    return Promise.resolve();
  }

  activeVersion(agentId: string): Promise<number | undefined> {
    return Promise.resolve(this.#active.get(agentId));
  }
}
