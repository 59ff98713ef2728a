import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  /** The seq this process last wrote (or read) on file, so a commit does not re-read the file. */
  #seq: number | undefined;

  constructor(path: string) {
    this.path = path;
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

  /** Records `checkpoint` when it is newer than the one on file. */
  write(checkpoint: AuditCheckpoint): void {
    if (this.#seq === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      try {
        this.#seq = this.read()?.seq ?? 0;
      } catch {
        this.#seq = 0;
      }
    }
    if (this.#seq >= checkpoint.seq) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
    this.#seq = checkpoint.seq;
  }
}
