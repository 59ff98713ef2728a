import { CronExpressionParser } from 'cron-parser';
import { AgentDefinitionError } from '../errors.ts';
import type { Clock } from '../../kernel/index.ts';

/** A time schedule: a fixed interval or a cron expression (5 or 6 fields, UTC). */
export type Schedule = { every: number } | { cron: string };

interface Entry {
  at: number;
  owner: string;
  name: string;
  schedule: Schedule;
  fire: (at: number, name: string, owner: string) => void;
  cancelled: boolean;
  /** Its owner was told this firing is coming ({@link SchedulerAhead}). */
  warned: boolean;
}

/** Tells owners `ms` before each of their firings that it is coming (a passivated agent's snapshot is read ahead). */
export interface SchedulerAhead {
  ms: number;
  notify(owner: string): void;
}

/** Parses a cron expression now, so a bad one fails at definition time with the field named. */
export function validateCron(expr: string, source: string): void {
  try {
    CronExpressionParser.parse(expr, { currentDate: new Date(0), tz: 'UTC' });
  } catch (cause) {
    throw new AgentDefinitionError(
      `${source}: invalid cron expression "${expr}": ${(cause as Error).message}`,
      { field: 'triggers', cron: expr },
      { cause },
    );
  }
}

function nextAt(schedule: Schedule, after: number): number {
  if ('every' in schedule) return after + schedule.every;
  return CronExpressionParser.parse(schedule.cron, { currentDate: new Date(after), tz: 'UTC' })
    .next()
    .getTime();
}

/**
 * Time triggers for any number of agents on one timer: a binary min-heap of
 * due times and a single clock timeout for the earliest, so 100,000 agents
 * with schedules cost one pending timer, not 100,000. With `ahead`, an entry
 * is first due `ahead.ms` early, to warn its owner, then at its time, to fire.
 */
export class Scheduler {
  readonly #clock: Clock;
  readonly #ahead: SchedulerAhead | undefined;
  readonly #heap: Entry[] = [];
  // One entry per owner is the common case (an agent with one schedule): no array for it.
  readonly #byOwner = new Map<string, Entry | Entry[]>();
  #timer: unknown = undefined;
  #timerAt = Infinity;
  #stopped = false;

  constructor(clock: Clock, ahead?: SchedulerAhead) {
    this.#clock = clock;
    this.#ahead = ahead !== undefined && ahead.ms > 0 ? ahead : undefined;
  }

  /** Schedules `fire` for `owner` on `schedule` until removed. */
  add({
    owner,
    schedule,
    name,
    fire,
  }: {
    owner: string;
    schedule: Schedule;
    name: string;
    fire: (at: number, name: string, owner: string) => void;
  }): void {
    const entry: Entry = {
      at: nextAt(schedule, this.#clock.now()),
      owner,
      name,
      schedule,
      fire,
      cancelled: false,
      warned: false,
    };
    const list = this.#byOwner.get(owner);
    if (list === undefined) this.#byOwner.set(owner, entry);
    else if (Array.isArray(list)) list.push(entry);
    else this.#byOwner.set(owner, [list, entry]);
    this.#push(entry);
    this.#arm();
  }

  /** Cancels every schedule of `owner`. */
  remove(owner: string): void {
    const list = this.#byOwner.get(owner);
    if (list === undefined) return;
    for (const e of Array.isArray(list) ? list : [list]) e.cancelled = true;
    this.#byOwner.delete(owner);
  }

  /** Number of live schedules. */
  get size(): number {
    let n = 0;
    for (const list of this.#byOwner.values()) n += Array.isArray(list) ? list.length : 1;
    return n;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    while (this.#heap.length > 0 && this.#due(this.#heap[0]!) <= now) {
      const e = this.#pop()!;
      if (e.cancelled) continue;
      if (this.#ahead !== undefined && !e.warned && e.at > now) {
        e.warned = true; // due again at its own time
        this.#push(e);
        this.#ahead.notify(e.owner);
        continue;
      }
      // Catch up without a burst: a schedule that fell behind fires once, then moves on from now.
      e.at = nextAt(e.schedule, now);
      e.warned = false;
      this.#push(e);
      e.fire(now, e.name, e.owner);
    }
    this.#arm();
  };

  /** When the entry is next due: its warning, `ahead.ms` before its time, then its time. */
  #due(e: Entry): number {
    return this.#ahead === undefined || e.warned ? e.at : e.at - this.#ahead.ms;
  }

  #arm(): void {
    if (this.#stopped || this.#heap.length === 0) return;
    const at = this.#due(this.#heap[0]!);
    if (this.#timer !== undefined && at >= this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(this.#run, Math.max(0, at - this.#clock.now()));
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.#due(h[p]!) <= this.#due(h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  #pop(): Entry | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#due(h[l]!) < this.#due(h[m]!)) m = l;
        if (r < h.length && this.#due(h[r]!) < this.#due(h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
