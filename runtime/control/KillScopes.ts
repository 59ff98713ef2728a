import type { KillSwitchState } from '../persistence/RuntimeStore.ts';

/** What a kill switch command covers: everything, or some agents, groups (sandboxes) or capabilities. */
export interface KillScope {
  all?: boolean;
  agents?: string[];
  groups?: string[];
  capabilities?: string[];
}

/** What the kill switch needs to know about an agent. */
export interface KillTarget {
  id: string;
  group: string;
  capabilities: readonly string[];
}

function union(a: readonly string[], b: readonly string[] | undefined): string[] {
  return b === undefined ? [...a] : [...new Set([...a, ...b])];
}

function minus(a: readonly string[], b: readonly string[] | undefined): string[] {
  return b === undefined ? [...a] : a.filter((x) => !b.includes(x));
}

/**
 * What the kill switch covers right now: which agents may not start cycles or make effects.
 * Pure state; the {@link KillSwitch} service validates, persists, audits and broadcasts changes.
 */
export class KillScopes {
  #state: KillSwitchState = { all: false, agents: [], groups: [], capabilities: [] };

  /** The current state (a copy). */
  state(): KillSwitchState {
    return {
      ...this.#state,
      agents: [...this.#state.agents],
      groups: [...this.#state.groups],
      capabilities: [...this.#state.capabilities],
    };
  }

  /** Replaces the state (used when restoring from the store). */
  restore(state: KillSwitchState): void {
    this.#state = {
      all: state.all,
      agents: [...state.agents],
      groups: [...state.groups],
      capabilities: [...state.capabilities],
    };
  }

  engage(scope: KillScope): void {
    const s = this.#state;
    this.#state = {
      all: s.all || scope.all === true,
      agents: union(s.agents, scope.agents),
      groups: union(s.groups, scope.groups),
      capabilities: union(s.capabilities, scope.capabilities),
    };
  }

  release(scope: KillScope): void {
    const s = this.#state;
    this.#state = {
      all: scope.all === true ? false : s.all,
      agents: scope.all === true ? [] : minus(s.agents, scope.agents),
      groups: scope.all === true ? [] : minus(s.groups, scope.groups),
      capabilities: scope.all === true ? [] : minus(s.capabilities, scope.capabilities),
    };
  }

  /** Whether the switch covers this agent. */
  covers(target: KillTarget): boolean {
    const s = this.#state;
    return (
      s.all ||
      s.agents.includes(target.id) ||
      s.groups.includes(target.group) ||
      target.capabilities.some((c) => s.capabilities.includes(c))
    );
  }
}
