import type { AlertInput } from '../host/AgentHost.ts';
import type { AlertEvent } from '../inspection/InspectionEvent.ts';
import type { InspectionStream } from '../inspection/InspectionStream.ts';

/**
 * Operator alerts: a crash, an escalation, a kill switch, a refused message, a closed gate.
 * Each is published on the inspection stream (the UI and every other subscriber see it) with a
 * stable code from docs/errors.md, and filed in the alert book (kept, deduplicated, delivered).
 */
export class Alerts {
  readonly #inspection: InspectionStream;
  readonly #clock: { now(): number };
  /** The alert book, once composed: files every raised alert. */
  book: { record(e: AlertEvent): void } | undefined;

  constructor(inspection: InspectionStream, clock: { now(): number }) {
    this.#inspection = inspection;
    this.#clock = clock;
  }

  /** Raises an alert; `actorId` names the agent or supervisor it is about. */
  raise({ severity, code, message, actorId }: AlertInput): AlertEvent {
    const e = { type: 'alert' as const, severity, code, message, at: this.#clock.now() };
    const published = this.#inspection.publish(actorId === undefined ? e : { ...e, actorId }) as AlertEvent;
    this.book?.record(published);
    return published;
  }
}
