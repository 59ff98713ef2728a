import { describe, expect, it } from 'vitest';
import { isTransientDbError } from './isTransientDbError.ts';
import { toPgPlaceholders } from './PgExecutor.ts';

describe('pg executor', () => {
  it('persistence - ? placeholders become $n outside quoted strings and identifiers', () => {
    expect(toPgPlaceholders(`select '?' as q, "a?b", x from t where a = ? and b like ? escape '\\'`)).toBe(
      `select '?' as q, "a?b", x from t where a = $1 and b like $2 escape '\\'`,
    );
  });

  it('persistence - connection losses are transient, statement errors are not', () => {
    expect(isTransientDbError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(
      isTransientDbError(
        new Error('wrapped', {
          cause: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        }),
      ),
    ).toBe(true);
    expect(isTransientDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('invalid message format'), { code: '08P01' }))).toBe(false);
    expect(isTransientDbError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
  });
});
