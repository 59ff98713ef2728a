import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createError } from './createError.ts';
import { parseOrThrow } from './parseOrThrow.ts';

class ThingInputError extends createError('MANDATE_ERR_REQUEST_INVALID', 'ThingInputError') {}

const schema = z.strictObject({
  name: z.string().min(1),
  limits: z.object({ max: z.number().int().positive() }),
  seed: z.string().length(43).optional(),
});

describe('parseOrThrow', () => {
  it('parseOrThrow - returns the parsed value when it is valid', () => {
    expect(parseOrThrow(schema, { name: 'a', limits: { max: 3 } }, { what: 'thing', error: ThingInputError })).toEqual({
      name: 'a',
      limits: { max: 3 },
    });
  });

  it('parseOrThrow - throws the given coded error naming the first field path and quoting its value', () => {
    const run = () =>
      parseOrThrow(schema, { name: 'a', limits: { max: -2.5 } }, { what: 'thing', error: ThingInputError });
    expect(run).toThrowError(ThingInputError);
    expect(run).toThrowError(
      expect.objectContaining({
        code: 'MANDATE_ERR_REQUEST_INVALID',
        status: 400,
        details: expect.objectContaining({ path: 'limits.max' }),
      }),
    );
    expect(run).toThrowError(/^Invalid thing: "limits\.max" .+ \(got -2\.5\); fix the thing and send it again\.$/);
  });

  it('parseOrThrow - says "nothing" for a missing field, and "(root)" when the value itself is wrong', () => {
    expect(() => parseOrThrow(schema, { limits: { max: 1 } }, { what: 'thing', error: ThingInputError })).toThrowError(
      /"name" .+ \(got nothing\)/,
    );
    expect(() => parseOrThrow(schema, 'hello', { what: 'thing', error: ThingInputError })).toThrowError(
      /"\(root\)" .+ \(got "hello"\)/,
    );
  });

  it('parseOrThrow - prefixes paths, takes the fix, lists the first five issues, and never quotes a secret or personal data back', () => {
    let error: unknown;
    try {
      parseOrThrow(
        schema,
        { name: '', limits: {}, seed: 'my-real-seed', extra: 1 },
        { what: 'request body', error: ThingInputError, at: ['body'], fix: 'see the API docs' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ThingInputError);
    const e = error as ThingInputError;
    expect(e.message).toMatch(/^Invalid request body: "body\.name" .+; see the API docs\.$/);
    expect((e.details?.issues as { path: string }[]).map((i) => i.path)).toEqual(
      expect.arrayContaining(['body.name', 'body.limits.max', 'body.seed']),
    );
    expect(() =>
      parseOrThrow(
        z.object({ seed: z.string().length(43) }),
        { seed: 'my-real-seed' },
        { what: 'key', error: ThingInputError },
      ),
    ).toThrowError(/got a value not quoted: secret or personal data/);
    expect(() =>
      parseOrThrow(
        z.object({ seed: z.string().length(43) }),
        { seed: 'my-real-seed' },
        { what: 'key', error: ThingInputError },
      ),
    ).not.toThrowError(/my-real-seed/);
    expect(() =>
      parseOrThrow(
        z.object({ creditor: z.object({ iban: z.string().length(22) }) }),
        { creditor: { iban: 'DE8937' } },
        { what: 'intent', error: ThingInputError },
      ),
    ).not.toThrowError(/DE8937/);
  });

  it('parseOrThrow - masks the password of a quoted URL', () => {
    const url = z.object({ databaseUrl: z.string().startsWith('postgresql://') });
    expect(() =>
      parseOrThrow(url, { databaseUrl: 'mysql://app:hunter2@db:3306/x' }, { what: 'option', error: ThingInputError }),
    ).toThrowError(/got "mysql:\/\/app:\*\*\*@db:3306\/x"/);
  });

  it('parseOrThrow - cuts a long quoted value short', () => {
    expect(() =>
      parseOrThrow(z.object({ n: z.number() }), { n: 'x'.repeat(500) }, { what: 'thing', error: ThingInputError }),
    ).toThrowError(/\(got "x{78}…\)/);
  });
});
