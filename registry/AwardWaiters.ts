import type { AwardEnd, SubtaskProgress } from './ContractNetStore.ts';

interface Waiter {
  did: string;
  capability: string;
  resolve: (end: 'result' | AwardEnd) => void;
  /** Progress from the awardee: restart the silence timer. */
  touch: () => void;
}

/** The manager's waits for award results: one per award, ended by the result, the result timeout or (optionally) silence. */
export class AwardWaiters {
  readonly #waiters = new Map<string, Waiter>();
  readonly #silenceMs: number | undefined;

  constructor(silenceMs: number | undefined) {
    this.#silenceMs = silenceMs;
  }

  /** Waits for `award`'s result for at most `ms`: `result` once recorded, else `timeout` or `silent`. */
  wait(award: NonNullable<SubtaskProgress['current']>, capability: string, ms: number): Promise<'result' | AwardEnd> {
    const silenceMs = this.#silenceMs;
    return new Promise((resolve) => {
      let silence: ReturnType<typeof setTimeout> | undefined;
      const end = (r: 'result' | AwardEnd) => {
        clearTimeout(hard);
        clearTimeout(silence);
        this.#waiters.delete(award.awardId);
        resolve(r);
      };
      const hard = setTimeout(() => end('timeout'), ms);
      const touch = () => {
        if (silenceMs === undefined) return;
        clearTimeout(silence);
        silence = setTimeout(() => end('silent'), silenceMs);
      };
      touch();
      this.#waiters.set(award.awardId, { did: award.did, capability, resolve: end, touch });
    });
  }

  /** Progress arrived for `awardId`. */
  touch(awardId: string): void {
    this.#waiters.get(awardId)?.touch();
  }

  /** The result for `awardId` is recorded. */
  resolve(awardId: string): void {
    this.#waiters.get(awardId)?.resolve('result');
  }

  /** Ends every wait (the manager stops): each as a timeout, whose record write then fails as fenced. */
  endAll(): void {
    for (const w of [...this.#waiters.values()]) w.resolve('timeout');
  }
}
