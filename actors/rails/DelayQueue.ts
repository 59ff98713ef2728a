/**
 * A delay queue keyed by id: items become due at a time from the injected clock. Used to
 * re-check fiat payments during their settlement lag. Contents are derived from the ledger,
 * so after a restart the rail rebuilds it from open intents (`OpenBankingRail.recover`).
 */

/** An in-memory delay queue; scheduling an id again moves it. */
export class DelayQueue<T> {
  readonly #items = new Map<string, { dueAt: number; value: T }>();

  /** Schedules `value` under `id` for `dueAt` (epoch ms). */
  schedule(id: string, value: T, dueAt: number): void {
    this.#items.set(id, { dueAt, value });
  }

  /** Removes and returns every item due at `now`, earliest first. */
  takeDue(now: number): { id: string; value: T }[] {
    const due = [...this.#items.entries()].filter(([, v]) => v.dueAt <= now).sort((a, b) => a[1].dueAt - b[1].dueAt);
    for (const [id] of due) this.#items.delete(id);
    return due.map(([id, v]) => ({ id, value: v.value }));
  }

  /** Epoch ms of the next due item, if any. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const { dueAt } of this.#items.values()) if (next === undefined || dueAt < next) next = dueAt;
    return next;
  }

  /** Number of scheduled items. */
  get size(): number {
    return this.#items.size;
  }
}
