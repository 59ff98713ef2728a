import { describe, expect, it } from 'vitest';
import { codeOf } from './codeOf.ts';
import { createError } from './createError.ts';
import { ERROR_CODES, ErrorCode, isErrorCode } from './errorCodes.ts';
import { MandateError } from './MandateError.ts';

class LockedError extends createError('MANDATE_ERR_STORE_LOCKED', 'LockedError') {}
class WithDefault extends createError('MANDATE_ERR_UI_NOT_BUILT', 'WithDefault', 'Build it; run "npm run build:ui".') {}
class Built extends createError('MANDATE_ERR_NOT_FOUND', 'Built') {
  constructor(id: string) {
    super(`No thing with id "${id}"; list them first.`, { details: { id } });
  }
}

describe('MandateError', () => {
  it('MandateError - carries code, the table status, details and cause, and serializes without the stack', () => {
    const cause = new Error('socket closed');
    const e = new MandateError('MANDATE_ERR_STATE_CONFLICT', 'Example failed for "x"; retry.', {
      details: { id: 'x' },
      cause,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'MandateError',
      code: 'MANDATE_ERR_STATE_CONFLICT',
      status: 409,
      details: { id: 'x' },
      cause,
    });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      code: 'MANDATE_ERR_STATE_CONFLICT',
      message: 'Example failed for "x"; retry.',
      details: { id: 'x' },
    });
  });

  it('MandateError - a code without an HTTP status (outcome, alert, internal) answers 500', () => {
    expect(ERROR_CODES.MANDATE_ERR_SNAPSHOT_INCOMPATIBLE.status).toBeNull();
    expect(new MandateError('MANDATE_ERR_SNAPSHOT_INCOMPATIBLE', 'm').status).toBe(500);
  });
});

describe('createError', () => {
  it('createError - builds a named subclass whose code and status come from the table', () => {
    const cause = new Error('EBUSY');
    const e = new LockedError('The data directory "d" is in use; stop the other process.', {
      cause,
      details: { dir: 'd' },
    });
    expect(e).toBeInstanceOf(LockedError);
    expect(e).toBeInstanceOf(MandateError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'LockedError', code: 'MANDATE_ERR_STORE_LOCKED', status: 409, cause });
    expect(e.details).toEqual({ dir: 'd' });
    expect(Object.getPrototypeOf(LockedError).name).toBe('LockedError');
    expect(String(e)).toBe('LockedError: The data directory "d" is in use; stop the other process.');
  });

  it('createError - a default message is used when none is given', () => {
    expect(new WithDefault().message).toBe('Build it; run "npm run build:ui".');
    expect(new WithDefault('Other.').message).toBe('Other.');
    expect(new WithDefault().status).toBe(503);
  });

  it('createError - a class body may build the message and details', () => {
    const e = new Built('x');
    expect(e).toMatchObject({ name: 'Built', code: 'MANDATE_ERR_NOT_FOUND', status: 404, details: { id: 'x' } });
    expect(e.message).toBe('No thing with id "x"; list them first.');
  });
});

describe('error codes', () => {
  it('error codes - ErrorCode names every code of the table by itself', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(ErrorCode[code as ErrorCode]).toBe(code);
    expect(Object.keys(ErrorCode)).toEqual(Object.keys(ERROR_CODES));
    expect(Object.isFrozen(ErrorCode)).toBe(true);
  });

  it('error codes - isErrorCode and codeOf accept table codes only', () => {
    expect(isErrorCode('MANDATE_ERR_NOT_FOUND')).toBe(true);
    expect(isErrorCode('MANDATE_ERR_NOPE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
    expect(codeOf(new LockedError('m'), ErrorCode.MANDATE_ERR_STORE)).toBe('MANDATE_ERR_STORE_LOCKED');
    expect(codeOf({ code: 'MANDATE_ERR_NOT_FOUND' }, ErrorCode.MANDATE_ERR_STORE)).toBe('MANDATE_ERR_NOT_FOUND');
    expect(codeOf(Object.assign(new Error('dup'), { code: '23505' }), ErrorCode.MANDATE_ERR_STORE)).toBe(
      'MANDATE_ERR_STORE',
    );
    expect(codeOf(null, ErrorCode.MANDATE_ERR_STORE)).toBe('MANDATE_ERR_STORE');
  });
});
