import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { AuditCheckpoint } from './AuditCheckpoint.ts';
import { AuditInputError } from './errors.ts';

const witnessSchema = z.object({
  seq: z.number().int().positive(),
  hash: z.string(),
  at: z.number().int(),
  signer: z.string(),
  signature: z.string(),
});

/**
 * The latest signed checkpoint, kept in a file outside the database — the witness that catches a
 * truncation which also deleted the checkpoints inside the database (CloudTrail keeps its digest
 * files apart from the logs for the same reason). Written atomically after each commit that
 * signed a checkpoint; only ever moves forward.
 */
export class AuditWitness {
  readonly path: string;
  readonly #onError: (error: Error) => void;
  /** The seq on file (written or read by this process), so a commit does not re-read the file. */
  #seq: number | undefined;
  /** The newest checkpoint not yet on file; later ones replace it (only the latest matters). */
  #pending: AuditCheckpoint | undefined;
  #writing: Promise<void> | undefined;

  /** `onError` hears about a witness write that failed (the next checkpoint tries again). */
  constructor(path: string, onError: (error: Error) => void = () => undefined) {
    this.path = path;
    this.#onError = onError;
  }

  /** The recorded checkpoint, or undefined when none was written yet. Throws MANDATE_ERR_AUDIT_INPUT when the file was altered into garbage. */
  read(): AuditCheckpoint | undefined {
    if (!existsSync(this.path)) return undefined;
    const parsed = witnessSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
    if (!parsed.success)
      throw new AuditInputError(
        `The audit witness file "${this.path}" is not a signed checkpoint; it was altered. Restore it from a backup, or remove it to verify against the database alone.`,
      );
    return parsed.data;
  }

  /**
   * Records `checkpoint` when it is newer than the one on file. The file is written off the commit
   * path (atomically, by rename), coalescing checkpoints signed while a write is under way: the
   * witness may lag the database by the last few commits, never lead it.
   */
  write(checkpoint: AuditCheckpoint): void {
    if (this.#seq === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      try {
        this.#seq = this.read()?.seq ?? 0;
      } catch {
        this.#seq = 0;
      }
    }
    if (checkpoint.seq <= Math.max(this.#seq, this.#pending?.seq ?? 0)) return;
    this.#pending = checkpoint;
    this.#writing ??= this.#drain();
  }

  /** Resolves once every checkpoint given to {@link write} so far is on file (or its write failed). */
  async settled(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#pending !== undefined) {
      const checkpoint = this.#pending;
      this.#pending = undefined;
      const tmp = `${this.path}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
        await rename(tmp, this.path);
        this.#seq = checkpoint.seq;
      } catch (error) {
        this.#onError(error as Error);
      }
    }
    this.#writing = undefined;
  }
}
