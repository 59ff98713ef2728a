import { createActor } from 'xstate';
import { approvalMachine } from '../../machines/index.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import { machineInput, newEntry, type Entry } from './ApprovalEntry.ts';
import { requirementOf } from './signatureQuorum.ts';

/** How many closed requests stay in memory by default (the most recently closed or looked up). */
export const KEEP_CLOSED = 256;

/**
 * The requests held in memory: every open one, and a bounded number of closed ones — the most
 * recently closed or looked up (an LRU), so an early answer still reaches its agent and the
 * operator's recent history lists without a read. An older closed request is let go; the store
 * keeps it, and the approvals service looks it up by id when a re-proposal of its decision asks.
 */
export class ApprovalEntries {
  readonly #all = new Map<string, Entry>();
  /** Ids of the closed entries held, least recently used first. */
  readonly #closed = new Set<string>();
  readonly #keepClosed: number;

  constructor(keepClosed = KEEP_CLOSED) {
    this.#keepClosed = keepClosed;
  }

  get(id: string): Entry | undefined {
    const entry = this.#all.get(id);
    if (entry !== undefined && this.#closed.has(id)) this.settled(entry); // used: most recent again
    return entry;
  }

  has(id: string): boolean {
    return this.#all.has(id);
  }

  /** Holds `entry` (a closed one counts against the bound). */
  set(id: string, entry: Entry): void {
    this.#all.set(id, entry);
    this.#closed.delete(id);
    this.settled(entry);
  }

  /** Every entry held, in the order first held. */
  values(): IterableIterator<Entry> {
    return this.#all.values();
  }

  /** How many requests are held in memory (open and closed). */
  get size(): number {
    return this.#all.size;
  }

  /** Told when `entry` may have closed: a closed one becomes the most recent, and the least recent beyond the bound are let go. */
  settled(entry: Entry): void {
    const id = entry.record.id;
    if (entry.record.status === 'pending' || this.#all.get(id) !== entry) return;
    this.#closed.delete(id);
    this.#closed.add(id);
    for (const oldest of this.#closed) {
      if (this.#closed.size <= this.#keepClosed) break;
      this.#closed.delete(oldest);
      this.#all.get(oldest)?.actor.stop();
      this.#all.delete(oldest);
    }
  }
}

/** The entry of a closed request taken back from the store: its machine never starts, it only hands its answer over again. */
export function closedEntry(record: ApprovalRecord): Entry {
  return newEntry(
    record,
    undefined,
    createActor(approvalMachine, { input: machineInput(record, 0, requirementOf(record)) }),
  );
}
