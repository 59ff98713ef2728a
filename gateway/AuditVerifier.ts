/**
 * The gateway's one audit-chain verifier: a verification at a time (a second caller waits for the
 * running one instead of reading the whole log again beside it), and the last verdict kept with
 * when it was checked, so a report can say what is known without re-reading the log.
 */
import { MandateError } from '../kernel/index.ts';
import { AuditUnavailableError } from './errors.ts';
import type { AuditSource, AuditVerifyResult } from './RuntimeApi.ts';

/** A verdict and when it was checked (epoch ms). */
export type CheckedVerdict = AuditVerifyResult & { checkedAt: number };

export class AuditVerifier {
  readonly #source: AuditSource | undefined;
  readonly #clock: () => number;
  #running: Promise<CheckedVerdict> | undefined;
  #last: CheckedVerdict | undefined;

  constructor(source: AuditSource | undefined, clock: () => number) {
    this.#source = source;
    this.#clock = clock;
  }

  /** The newest verdict any caller obtained, if any. */
  get last(): CheckedVerdict | undefined {
    return this.#last;
  }

  /** Re-reads and checks the whole chain (joining a verification already running). */
  verify(): Promise<CheckedVerdict> {
    this.#running ??= this.#verify().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #verify(): Promise<CheckedVerdict> {
    const run = this.#source?.verifyAudit?.bind(this.#source);
    if (run === undefined)
      throw new AuditUnavailableError(
        'The audit chain cannot be verified here: the gateway runs without a store that keeps a hash-chained audit log; start the runtime with a persistent store',
      );
    let result: AuditVerifyResult;
    try {
      result = await run();
    } catch (error) {
      if (error instanceof MandateError) throw error;
      throw new AuditUnavailableError(
        'The audit log could not be read to verify it; check that the database answers (GET /ready) and retry',
        { cause: error },
      );
    }
    const checked = { ...result, checkedAt: this.#clock() };
    this.#last = checked;
    return checked;
  }
}
