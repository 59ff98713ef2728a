/**
 * The validator compiler answers what zod answers: an empty query string takes a shortcut only when
 * the schema turns it into an empty object, so defaults, refusals and transforms are never skipped.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode } from '../kernel/index.ts';
import { AgentsQuerySchema } from './schemas.ts';
import { zodValidatorCompiler } from './zodValidatorCompiler.ts';

type Outcome = { value?: unknown; error?: Error & { code?: string } };

function validator(schema: z.ZodType, httpPart = 'querystring'): (data: unknown) => Outcome {
  return zodValidatorCompiler({ schema, method: 'GET', url: '/api/x', httpPart }) as (data: unknown) => Outcome;
}

/** A query object as Fastify's parser builds it (no prototype). */
function query(entries: Record<string, string> = {}): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, entries);
}

describe('gateway - zod validator compiler', () => {
  it('gateway - an empty query on GET /api/agents is an empty object, and a fresh one each time', () => {
    const validate = validator(AgentsQuerySchema);
    const first = validate(query());
    const second = validate(query());
    expect(first).toEqual({ value: {} });
    expect(second.value).not.toBe(first.value);
  });

  it('gateway - parameters are still parsed and refused as before the shortcut', () => {
    const validate = validator(AgentsQuerySchema);
    expect(validate(query({ limit: '2', offset: '1' }))).toEqual({ value: { limit: 2, offset: 1 } });
    expect(validate(query({ limit: '0' })).error?.code).toBe(ErrorCode.MANDATE_ERR_REQUEST_INVALID);
    expect(validate(query({ unknown: 'x' })).error?.code).toBe(ErrorCode.MANDATE_ERR_REQUEST_INVALID);
  });

  it('gateway - a query schema with a default still fills it in for an empty query', () => {
    const validate = validator(z.object({ limit: z.coerce.number().default(50) }));
    expect(validate(query())).toEqual({ value: { limit: 50 } });
  });

  it('gateway - a query schema that refuses an empty query still refuses it', () => {
    const validate = validator(z.object({ id: z.string() }));
    expect(validate(query()).error?.code).toBe(ErrorCode.MANDATE_ERR_REQUEST_INVALID);
  });

  it('gateway - an empty body is not taken for an empty query', () => {
    const validate = validator(z.object({ reason: z.string() }).strict(), 'body');
    expect(validate({}).error?.code).toBe(ErrorCode.MANDATE_ERR_REQUEST_INVALID);
  });

  it('gateway - a part other than body, querystring or params is refused when the route registers', () => {
    expect(() => validator(z.object({}), 'headers')).toThrow(/body, querystring and params only/);
  });
});
