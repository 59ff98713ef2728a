import { describe, expect, it } from 'vitest';
import { AuthThrottle, type AuthLockout } from './AuthThrottle.ts';

function throttle(options: ConstructorParameters<typeof AuthThrottle>[0]) {
  const clock = { now: 0 };
  const lockouts: AuthLockout[] = [];
  const t = new AuthThrottle(
    options,
    () => clock.now,
    (l) => lockouts.push(l),
  );
  return { t, clock, lockouts };
}

describe('AuthThrottle', () => {
  it('AuthThrottle - a client is admitted until its burst of failures is spent, then waits for one attempt to refill', () => {
    const { t, clock } = throttle({ burst: 3, refillPerMinute: 60 });
    for (let i = 0; i < 3; i++) {
      expect(t.admit('a')).toBe(0);
      t.failed('a');
    }
    expect(t.admit('a')).toBe(1_000);
    expect(t.admit('b')).toBe(0);
    clock.now = 400;
    expect(t.admit('a')).toBe(600);
    clock.now = 1_000;
    expect(t.admit('a')).toBe(0);
  });

  it('AuthThrottle - lockout reports are capped per minute and the left-out ones are counted in the next', () => {
    const { t, clock, lockouts } = throttle({ burst: 1, refillPerMinute: 1, auditPerMinute: 2 });
    for (const client of ['a', 'b', 'c', 'd']) t.failed(client);
    expect(lockouts.map((l) => [l.client, l.suppressed])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    clock.now = 60_000;
    t.failed('e');
    expect(lockouts.at(-1)).toMatchObject({ client: 'e', failures: 1, suppressed: 2 });
  });

  it('AuthThrottle - memory is bounded: past maxClients the least recently failing client is forgotten', () => {
    const { t } = throttle({ burst: 1, maxClients: 2 });
    t.failed('a');
    t.failed('b');
    t.failed('a');
    t.failed('c');
    expect(t.size).toBe(2);
    expect(t.admit('b')).toBe(0);
    expect(t.admit('a')).toBeGreaterThan(0);
    expect(t.admit('c')).toBeGreaterThan(0);
  });
});
