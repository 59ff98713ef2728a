import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider } from '../../actors/index.ts';
import { createRuntime, defineAgent } from '../index.ts';
import { PhaseWatchdog, type Watched } from './PhaseWatchdog.ts';
import { agentOf } from '../../test/support/agentOf.ts';

async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A clock that counts the timers it was asked for. */
function countingClock() {
  const clock = new SimulatedClock();
  let armed = 0;
  const setTimeout = clock.setTimeout.bind(clock);
  clock.setTimeout = (fn, ms) => {
    armed++;
    return setTimeout(fn, ms);
  };
  return { clock, armed: () => armed };
}

function host(): Watched & { fired: number } {
  const h = {
    phaseDeadline: undefined as number | undefined,
    fired: 0,
    phaseTimedOut() {
      h.fired++;
    },
  };
  return h;
}

describe('PhaseWatchdog', () => {
  it('watchdog - fires an overdue phase once, never a phase that ended, on one timer for many hosts', () => {
    const { clock, armed } = countingClock();
    const dog = new PhaseWatchdog(clock);
    const hung = host();
    const done = host();
    hung.phaseDeadline = 1_000;
    done.phaseDeadline = 1_000;
    dog.watch(hung);
    dog.watch(done);
    for (let i = 0; i < 50; i++) {
      const h = host();
      h.phaseDeadline = 1_000 + i;
      dog.watch(h);
      h.phaseDeadline = undefined; // finished before its deadline
    }
    expect(armed()).toBe(1);
    done.phaseDeadline = undefined;
    clock.increment(999);
    expect(hung.fired).toBe(0);
    clock.increment(1);
    expect(hung.fired).toBe(1);
    expect(done.fired).toBe(0);
    expect(dog.size).toBe(0); // finished phases were forgotten by the sweep
    clock.increment(10_000);
    expect(hung.fired).toBe(1);
  });

  it('watchdog - a phase with an earlier deadline re-arms the timer; a later one waits for the next sweep', () => {
    const { clock } = countingClock();
    const dog = new PhaseWatchdog(clock);
    const slow = host();
    const fast = host();
    slow.phaseDeadline = 5_000;
    dog.watch(slow);
    fast.phaseDeadline = 100;
    dog.watch(fast);
    clock.increment(100);
    expect([fast.fired, slow.fired]).toEqual([1, 0]);
    clock.increment(4_900);
    expect([fast.fired, slow.fired]).toEqual([1, 1]);
  });

  it('watchdog - stop cancels the timer', () => {
    const { clock } = countingClock();
    const dog = new PhaseWatchdog(clock);
    const h = host();
    h.phaseDeadline = 10;
    dog.watch(h);
    dog.stop();
    clock.increment(100);
    expect(h.fired).toBe(0);
  });

  it('watchdog - a hung perceive times out on the runtime clock, is retried, and its late result is ignored', async () => {
    const clock = new SimulatedClock();
    const runtime = await createRuntime({ clock });
    const alerts: string[] = [];
    runtime.subscribe((e) => e.type === 'alert' && alerts.push(e.code));
    const pending: Array<(facts: Record<string, unknown>) => void> = [];
    await runtime.spawn(
      defineAgent({
        id: 'slow',
        capabilities: ['x.y'],
        limits: { maxAttempts: 2, baseDelay: 100, maxDelay: 100, phaseTimeout: 1_000 },
        perceive: () => new Promise<Record<string, unknown>>((resolve) => pending.push(resolve)),
        decide: RulesDecider.fromObject({
          rules: [
            {
              name: 'never',
              conditions: { all: [{ fact: 'x', operator: 'equal', value: 1 }] },
              event: { type: 'none' },
            },
          ],
        }),
      }),
    );
    const h = agentOf(runtime, 'slow');
    await runtime.trigger('slow', { kind: 'human', id: 'ops' });
    await settle();
    expect(h.state).toBe('perceive');
    clock.increment(999);
    await settle();
    expect(h.state).toBe('perceive');
    clock.increment(1);
    await settle();
    expect(h.state).toBe('retrying');
    expect(h.context.lastError?.code).toBe('MANDATE_ERR_PHASE_TIMEOUT');
    expect(alerts).toContain('MANDATE_ERR_PHASE_TIMEOUT');
    clock.increment(100); // backoff: the second attempt starts
    await settle();
    expect(h.state).toBe('perceive');
    pending[0]!({ stale: true }); // the timed-out attempt answers late: ignored
    await settle();
    expect(h.state).toBe('perceive');
    pending[1]!({ fresh: true });
    await settle();
    expect(h.state).toBe('idle');
    expect(h.context.facts).toEqual({ fresh: true });
    await runtime.shutdown();
  });
});
