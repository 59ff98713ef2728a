import { MandateError } from '../runtime/index.ts';
import { ErrorCode } from '../kernel/index.ts';
import type { SimClock } from './SimClock.ts';
import type { SimRandom } from './SimRandom.ts';

/** Probabilities of the faults the simulator injects at one await point. */
export interface IoFaults {
  /** The process dies before the call takes effect. */
  crashBefore: number;
  /** The call takes effect, then the process dies before it learns so. */
  crashAfter: number;
  /** The call fails with a transient coded error; nothing happened. */
  error: number;
  /** The call answers only after a long delay, then fails; whether it took effect is drawn too. */
  timeout: number;
  /** The call answers after a short delay (ordering between concurrent calls changes). */
  delay: number;
  /** The code of the errors it fails with (default `MANDATE_ERR_STORE_UNAVAILABLE`). */
  code?: ErrorCode;
}

/** The fault probabilities at a run's default intensity. */
export const DEFAULT_IO_FAULTS: IoFaults = {
  crashBefore: 0.004,
  crashAfter: 0.004,
  error: 0.02,
  timeout: 0.005,
  delay: 0.1,
};

/** What a {@link SimIo} draws its faults from and tells of a crash. */
export interface SimIoOptions {
  clock: SimClock;
  random: SimRandom;
  faults: IoFaults;
  onCrash: (where: string) => void;
  /** While true, no fault is drawn (the world heals before the final checks). */
  calm: () => boolean;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/**
 * Every await point where the runtime leaves its process (store, rails) goes through here: the
 * seed's PRNG decides whether the call proceeds, fails, is slow, times out, or crashes the
 * process. A crashed incarnation's calls never answer, so nothing it does afterwards reaches the
 * durable world.
 */
export class SimIo {
  readonly incarnation: number;
  #alive = true;
  readonly #o: SimIoOptions;

  constructor(incarnation: number, o: SimIoOptions) {
    this.incarnation = incarnation;
    this.#o = o;
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Ends this incarnation: nothing it starts or awaits from now on answers. */
  kill(): void {
    this.#alive = false;
  }

  /** Runs `apply` (the effect on the durable world) at the await point `where`, under the drawn fault. */
  call<T>(where: string, apply: () => T, faults: IoFaults = this.#o.faults): Promise<T> {
    if (!this.#alive) return never();
    const { random, clock } = this.#o;
    const r = this.#o.calm() ? 1 : random.next();
    let edge = faults.crashBefore;
    if (r < edge) return this.#crash(where);
    if (r < (edge += faults.crashAfter)) {
      try {
        apply();
      } catch {
        // the process is gone either way
      }
      return this.#crash(`${where} (after it took effect)`);
    }
    if (r < (edge += faults.error))
      return Promise.reject(
        new MandateError(
          faults.code ?? ErrorCode.MANDATE_ERR_STORE_UNAVAILABLE,
          `simulated fault: ${where} failed (connection reset)`,
        ),
      );
    if (r < (edge += faults.timeout)) {
      const applies = random.chance(0.5);
      return new Promise<T>((_resolve, reject) =>
        clock.schedule(this.incarnation, 5_000 + random.int(25_000), () => {
          if (!this.#alive) return;
          try {
            if (applies) apply();
          } catch {
            // a timed-out call reports the timeout, whatever else went wrong
          }
          reject(
            new MandateError(
              faults.code ?? ErrorCode.MANDATE_ERR_STORE_UNAVAILABLE,
              `simulated fault: ${where} timed out`,
            ),
          );
        }),
      );
    }
    if (r < edge + faults.delay) {
      return new Promise<T>((resolve, reject) =>
        clock.schedule(this.incarnation, 1 + random.int(2_000), () => {
          if (!this.#alive) return;
          try {
            resolve(apply());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
    }
    try {
      return Promise.resolve(apply());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #crash<T>(where: string): Promise<T> {
    this.#alive = false;
    this.#o.onCrash(where);
    return never();
  }
}
