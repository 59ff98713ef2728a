import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { FactBoard } from './FactBoard.ts';
import { Scheduler, validateCron } from './Scheduler.ts';

describe('scheduler', () => {
  it('scheduler - intervals and cron expressions fire on the injected clock, on one timer', () => {
    const clock = new SimulatedClock();
    clock.set(Date.parse('2026-11-23T08:59:58Z'));
    const s = new Scheduler(clock);
    const fired: string[] = [];
    s.add({
      owner: 'a',
      schedule: { every: 1_000 },
      name: 'every 1s',
      fire: (at) => fired.push(`a@${new Date(at).toISOString().slice(11, 19)}`),
    });
    s.add({
      owner: 'b',
      schedule: { cron: '0 9 * * 1-5' },
      name: 'weekdays 09:00',
      fire: (at) => fired.push(`b@${new Date(at).toISOString().slice(11, 19)}`),
    });
    for (let i = 0; i < 3; i++) clock.increment(1_000);
    expect([...fired].sort((x, y) => x.slice(2).localeCompare(y.slice(2)) || x.localeCompare(y))).toEqual([
      'a@08:59:59',
      'a@09:00:00',
      'b@09:00:00',
      'a@09:00:01',
    ]);
    s.remove('a');
    clock.increment(10_000); // a late timer fires once, not once per missed period
    expect(fired).toHaveLength(4);
    expect(s.size).toBe(1);
    s.stop();
  });

  it('scheduler - a bad cron expression is refused with the field named', () => {
    expect(() => validateCron('every tuesday', 'agent "x"')).toThrowError(
      expect.objectContaining({
        code: 'MANDATE_ERR_AGENT_DEFINITION',
        details: expect.objectContaining({ field: 'triggers' }),
      }),
    );
  });

  it('fact board - a threshold fires once when crossed, again only after leaving and re-entering', () => {
    const board = new FactBoard();
    const hits: number[] = [];
    board.watch('fx', { fact: 'fx.EURUSD', above: 1.12 }, (v) => hits.push(v));
    board.publish({ fx: { EURUSD: 1.1 } });
    board.publish({ fx: { EURUSD: 1.13 } });
    board.publish({ fx: { EURUSD: 1.14 } });
    board.publish({ fx: { EURUSD: 1.05 } });
    board.publish({ fx: { EURUSD: 1.2 } });
    expect(hits).toEqual([1.13, 1.2]);
    board.unwatch('fx');
    board.publish({ fx: { EURUSD: 1.0 } });
    board.publish({ fx: { EURUSD: 1.3 } });
    expect(hits).toHaveLength(2);
  });
});
