import type { InspectionEvent } from './InspectionEvent.ts';

type Distributive<T> = T extends unknown ? Omit<T, 'seq'> : never;

/**
 * One stream of every actor's transitions, approvals and alerts. The journal,
 * audit log, metrics, NATS inspection subjects and the UI all subscribe here.
 * A listener that throws is reported once and removed; it never disturbs the
 * actors.
 */
export class InspectionStream {
  #seq = 0;
  readonly #listeners = new Set<(event: InspectionEvent) => void>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = (e) => console.error('inspection listener failed:', e)) {
    this.#onListenerError = onListenerError;
  }

  /** True when somebody listens (callers skip building summaries otherwise). */
  get active(): boolean {
    return this.#listeners.size > 0;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (event: InspectionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Numbers (in place: the caller hands the object over) and delivers an event. */
  publish(event: Distributive<InspectionEvent>): InspectionEvent {
    const numbered = event as InspectionEvent;
    numbered.seq = ++this.#seq;
    for (const listener of this.#listeners) {
      try {
        listener(numbered);
      } catch (error) {
        this.#listeners.delete(listener);
        this.#onListenerError(error);
      }
    }
    return numbered;
  }
}
