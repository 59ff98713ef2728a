import type { Priority } from './Envelope.ts';

const RANK: Readonly<Record<Priority, number>> = { low: 0, normal: 1, high: 2, urgent: 3 };

/** A FIFO with O(1) push and shift. */
class Lane {
  #items: Array<() => Promise<void>> = [];
  #head = 0;
  get size(): number {
    return this.#items.length - this.#head;
  }
  push(task: () => Promise<void>): void {
    this.#items.push(task);
  }
  shift(): () => Promise<void> {
    const task = this.#items[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return task;
  }
}

/**
 * Runs inbound work (admission and handler of one message) with at most `concurrency` at once, and when
 * more is waiting, highest priority first (`urgent` > `high` > `normal` > `low`), first come first served
 * within a priority. With capacity free and nothing waiting, a task starts at once: no added latency.
 * Kill-switch orders enter as `urgent`, whatever their envelope says.
 */
export class InboundScheduler {
  readonly #lanes = [new Lane(), new Lane(), new Lane(), new Lane()];
  readonly #concurrency: number;
  #running = 0;
  #queued = 0;

  constructor(concurrency = 256) {
    this.#concurrency = Math.max(1, concurrency);
  }

  /** Tasks running now, and waiting. */
  get load(): { running: number; queued: number } {
    return { running: this.#running, queued: this.#queued };
  }

  /** Schedules `task`; its rejections are the task's own business (catch inside). */
  run(priority: Priority, task: () => Promise<void>): void {
    if (this.#queued === 0 && this.#running < this.#concurrency) {
      this.#start(task);
      return;
    }
    this.#lanes[RANK[priority]]!.push(task);
    this.#queued++;
  }

  #start(task: () => Promise<void>): void {
    this.#running++;
    const done = () => {
      this.#running--;
      this.#next();
    };
    task().then(done, done);
  }

  #next(): void {
    while (this.#queued > 0 && this.#running < this.#concurrency) {
      for (let r = 3; r >= 0; r--) {
        const lane = this.#lanes[r]!;
        if (lane.size > 0) {
          this.#queued--;
          this.#start(lane.shift());
          break;
        }
      }
    }
  }
}
