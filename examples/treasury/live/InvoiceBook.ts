import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Invoice } from '../TreasurySimulation.ts';

/**
 * The live example's invoice queue, persisted: which invoices are done with, in a JSON file under
 * the data directory, replaced atomically (write, fsync, rename) on every change. A second run
 * continues where the first stopped. Several nodes sharing the file (placement) each read it again
 * when it changed, so the node that takes the payables agent over goes on where the last owner
 * stopped. The payment itself is exactly-once by the invoice id (the runtime's intent log and the
 * rail's ledger); this file only keeps the queue from re-deciding.
 */
export class InvoiceBook {
  readonly #path: string;
  readonly #invoices: readonly Invoice[];
  #settled: Record<string, { reference: string | null; at: string }> = {};
  #readAt: string | undefined;

  constructor(path: string, invoices: readonly Invoice[]) {
    this.#path = path;
    this.#invoices = invoices;
    this.#refresh();
  }

  /** Reads the file again when another process replaced it since it was read. */
  #refresh(): void {
    const st = statSync(this.#path, { throwIfNoEntry: false });
    // Every write is a new file renamed over the old one: a new inode, so a write in the same millisecond counts too.
    const changed = st === undefined ? undefined : `${st.ino}:${st.mtimeMs}`;
    if (changed === undefined || changed === this.#readAt) return;
    this.#settled = (
      JSON.parse(readFileSync(this.#path, 'utf8')) as { settled: InvoiceBook['settledRecords'] }
    ).settled;
    this.#readAt = changed;
  }

  /** Settled invoices with their payment references. */
  get settledRecords(): Record<string, { reference: string | null; at: string }> {
    return { ...this.#settled };
  }

  /** The first invoice not yet settled. */
  next(): Invoice | undefined {
    this.#refresh();
    return this.#invoices.find((i) => this.#settled[i.id] === undefined);
  }

  /** Marks `id` settled and persists the queue before returning. */
  settle(id: string, reference: string | undefined, at: Date): void {
    this.#refresh();
    if (this.#settled[id] !== undefined) return;
    this.#settled[id] = { reference: reference ?? null, at: at.toISOString() };
    mkdirSync(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, `${JSON.stringify({ settled: this.#settled }, null, 2)}\n`);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.#path);
    const st = statSync(this.#path);
    this.#readAt = `${st.ino}:${st.mtimeMs}`;
  }
}
