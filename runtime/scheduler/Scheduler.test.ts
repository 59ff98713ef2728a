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

  it('scheduler - with ahead, each owner is told ahead.ms before each firing, then fired at its time', () => {
    const clock = new SimulatedClock();
    clock.set(Date.parse('2026-11-23T09:00:00Z'));
    const log: string[] = [];
    const at = () => new Date(clock.now()).toISOString().slice(14, 23);
    const s = new Scheduler(clock, { ms: 300, notify: (owner) => log.push(`${owner} soon @${at()}`) });
    s.add({ owner: 'a', schedule: { every: 1_000 }, name: 'every 1s', fire: () => log.push(`a fire @${at()}`) });
    s.add({ owner: 'b', schedule: { every: 200 }, name: 'every 200ms', fire: () => log.push(`b fire @${at()}`) });
    for (let i = 0; i < 20; i++) clock.increment(100);
    expect(log.filter((l) => l.startsWith('a'))).toEqual([
      'a soon @00:00.700',
      'a fire @00:01.000',
      'a soon @00:01.700',
      'a fire @00:02.000',
    ]);
    // A period shorter than the lead: told at once, then fired at its time; every firing still comes.
    expect(log.filter((l) => l.startsWith('b fire'))).toHaveLength(10);
    expect(log.filter((l) => l.startsWith('b soon'))).toHaveLength(11); // the 11th for the firing due at 00:02.200
    const b = log.filter((l) => l.startsWith('b'));
    b.forEach((l, i) => expect(l.startsWith('b soon') === (i % 2 === 0)).toBe(true)); // each firing warned first
    s.remove('a');
    clock.increment(5_000);
    expect(log.filter((l) => l.startsWith('a'))).toHaveLength(4);
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
