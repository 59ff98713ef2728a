import { codeOf, ErrorCode, type Clock } from '../../kernel/index.ts';
import type { TransitionEvent } from '../inspection/InspectionEvent.ts';
import type { RuntimeStore } from '../persistence/RuntimeStore.ts';
import type { AgentHost } from './AgentHost.ts';

/**
 * Writes agents' snapshots and the transition journal to the store, batched
 * per turn of the event loop (many transitions of one agent cost one snapshot
 * write). Flushes are serialized; what fails stays queued and is retried, and
 * the failure is reported — nothing already accepted is dropped.
 */
export class StateWriter {
  readonly #store: RuntimeStore;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  readonly #dirty = new Set<AgentHost>();
  #journal: TransitionEvent[] = [];
  #flushing: Promise<void> | undefined;
  #queued = false;

  constructor(store: RuntimeStore, clock: Clock, onError: (error: unknown) => void) {
    this.#store = store;
    this.#clock = clock;
    this.#onError = onError;
  }

  /** Snapshots and journal entries queued and not yet written (`/metrics`: the persistence queue). */
  get backlog(): number {
    return this.#dirty.size + this.#journal.length;
  }

  /** Marks an agent's snapshot for the next flush. */
  snapshot(host: AgentHost): void {
    this.#dirty.add(host);
    this.#schedule();
  }

  /** Queues a transition for the journal. */
  journal(event: TransitionEvent): void {
    this.#journal.push(event);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#queued) return;
    this.#queued = true;
    setImmediate(() => {
      this.#queued = false;
      void this.flush();
    });
  }

  /** Writes everything queued; resolves when it is committed (or has failed and been re-queued). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#dirty.size === 0 && this.#journal.length === 0) return;
    const hosts = [...this.#dirty];
    this.#dirty.clear();
    const journal = this.#journal;
    this.#journal = [];
    this.#flushing = (async () => {
      try {
        if (journal.length > 0) await this.#store.appendTransitions(journal);
        await Promise.all(
          hosts.map((h) =>
            this.#store
              .saveSnapshot({
                agentId: h.id,
                supervisorId: h.parent.id,
                snapshot: h.actor.getPersistedSnapshot(),
                state: h.state,
                seq: h.snapshotSeq,
                at: this.#clock.now(),
                ...(h.fence === undefined ? {} : { fence: h.fence }),
              })
              .catch((error: unknown) => {
                // Another node owns the agent now: this node's snapshot is refused for good, not retried.
                if (codeOf(error, ErrorCode.MANDATE_ERR_STORE) !== ErrorCode.MANDATE_ERR_FENCE_STALE) throw error;
                hosts.splice(hosts.indexOf(h), 1);
              }),
          ),
        );
      } catch (error) {
        for (const h of hosts) this.#dirty.add(h);
        this.#journal = journal.concat(this.#journal);
        this.#onError(error);
        this.#clock.setTimeout(() => this.#schedule(), 1_000);
      } finally {
        this.#flushing = undefined;
      }
    })();
    await this.#flushing;
  }
}
