import { SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { systemClock, type Clock } from './Clock.ts';

describe('Clock', () => {
  it('Clock - systemClock tells wall-clock time and runs and cancels timers', async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    const fired: string[] = [];
    const cancelled = systemClock.setTimeout(() => fired.push('cancelled'), 5);
    systemClock.setTimeout(() => fired.push('kept'), 5);
    systemClock.clearTimeout(cancelled);
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual(['kept']);
  });

  it("Clock - XState's SimulatedClock is a Clock, so timers run on simulated time", () => {
    const clock: Clock = new SimulatedClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 1000);
    (clock as SimulatedClock).increment(999);
    expect(fired).toEqual([]);
    (clock as SimulatedClock).increment(1);
    expect(fired).toEqual([1000]);
  });
});
