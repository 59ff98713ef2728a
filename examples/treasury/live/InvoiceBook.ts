import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Invoice } from '../TreasurySimulation.ts';

/**
 * The live example's invoice queue, persisted: which invoices are done with, in a JSON file under
 * the data directory, replaced atomically (write, fsync, rename) on every change. A second run
 * continues where the first stopped. The payment itself is exactly-once by the invoice id (the
 * runtime's intent log and the rail's ledger); this file only keeps the queue from re-deciding.
 */
export class InvoiceBook {
  readonly #path: string;
  readonly #invoices: readonly Invoice[];
  readonly #settled: Record<string, { reference: string | null; at: string }>;

  constructor(path: string, invoices: readonly Invoice[]) {
    this.#path = path;
    this.#invoices = invoices;
    this.#settled = existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as { settled: InvoiceBook['settledRecords'] }).settled
      : {};
  }

  /** Settled invoices with their payment references. */
  get settledRecords(): Record<string, { reference: string | null; at: string }> {
    return { ...this.#settled };
  }

  /** The first invoice not yet settled. */
  next(): Invoice | undefined {
    return this.#invoices.find((i) => this.#settled[i.id] === undefined);
  }

  /** Marks `id` settled and persists the queue before returning. */
  settle(id: string, reference: string | undefined, at: Date): void {
    if (this.#settled[id] !== undefined) return;
    this.#settled[id] = { reference: reference ?? null, at: at.toISOString() };
    mkdirSync(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, `${JSON.stringify({ settled: this.#settled }, null, 2)}\n`);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.#path);
  }
}
