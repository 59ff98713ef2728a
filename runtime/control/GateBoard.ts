import type { Principal } from '../../machines/index.ts';

/** A named dependency gate: agents that depend on it run only while it is open. */
export interface Gate {
  name: string;
  open: boolean;
  reason: string;
  by: Principal;
  at: number;
}

/**
 * Dependency gates ("run only after the fee check passed"). Gates start
 * closed: a dependent agent waits until a pre-check agent or an operator
 * opens it.
 */
export class GateBoard {
  readonly #gates = new Map<string, Gate>();
  #onSet: ((gate: Gate) => void) | undefined;

  /** Sets a gate here (an operator's or an agent's change) and tells the listener (the nodes sharing gates). */
  set(gate: Gate): void {
    this.#gates.set(gate.name, gate);
    this.#onSet?.(gate);
  }

  /** Sets a gate changed on another node (not told to the listener again). */
  receive(gate: Gate): void {
    this.#gates.set(gate.name, gate);
  }

  /** Calls `listener` on every local change from now on (one listener; `undefined` removes it). */
  onSet(listener: ((gate: Gate) => void) | undefined): void {
    this.#onSet = listener;
  }

  get(name: string): Gate | undefined {
    return this.#gates.get(name);
  }

  /** The first closed gate among `names`, or undefined when all are open. */
  firstClosed(names: readonly string[]): string | undefined {
    return names.find((n) => this.#gates.get(n)?.open !== true);
  }

  list(): Gate[] {
    return [...this.#gates.values()];
  }
}
