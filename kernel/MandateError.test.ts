import { describe, expect, it } from 'vitest';
import { MandateError } from './MandateError.ts';

describe('MandateError', () => {
  it('MandateError - carries code, status, details and cause, and serializes without the stack', () => {
    const cause = new Error('socket closed');
    const e = new MandateError('MANDATE_ERR_EXAMPLE', 'Example failed for "x"; retry.', {
      status: 409,
      details: { id: 'x' },
      cause,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'MandateError',
      code: 'MANDATE_ERR_EXAMPLE',
      status: 409,
      details: { id: 'x' },
      cause,
    });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      code: 'MANDATE_ERR_EXAMPLE',
      message: 'Example failed for "x"; retry.',
      details: { id: 'x' },
    });
    expect(new MandateError('MANDATE_ERR_EXAMPLE', 'm').status).toBe(500);
  });
});
