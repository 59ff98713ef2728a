import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonBytes } from './canonicalJson.ts';

describe('canonicalJson', () => {
  it('canonicalJson - reproduces the RFC 8785 §3.2.2 example byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('canonicalJson - sorts keys by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input = { '\u20ac': 1, '\r': 2, '\ufb33': 3, '1': 4, '\ud83d\ude00': 5, '\u0080': 6, '\u00f6': 7 };
    // Object.keys() would put "1" first (integer-like keys); the canonical string must not.
    expect(canonicalJson(input)).toBe('{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\ud83d\ude00":5,"\ufb33":3}');
  });

  it('canonicalJson - serializes numbers as RFC 8785 Appendix B', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '0'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [0.000001, '0.000001'],
      [-1.5e-10, '-1.5e-10'],
    ];
    for (const [n, s] of cases) expect(canonicalJson(n)).toBe(s);
  });

  it('canonicalJson - refuses values without a canonical JSON form, with a code', () => {
    for (const bad of [NaN, Infinity, { a: [undefined] }, { d: new Date(0) }, 'x\ud800', 10n, () => 1]) {
      expect(() => canonicalJson(bad)).toThrowError(expect.objectContaining({ code: 'MANDATE_ERR_CANONICAL_JSON' }));
    }
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson({ a: [1, { b: NaN }] })).toThrowError(
      expect.objectContaining({ details: { path: '$.a[1].b' }, message: expect.stringContaining('at $.a[1].b') }),
    );
  });

  it('canonicalJson - parse(canonical(x)) has the same canonical form, and key order never matters', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalJson(v);
        expect(canonicalJson(JSON.parse(c))).toBe(c);
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
          const reversed = Object.fromEntries(Object.entries(v).reverse());
          expect(canonicalJson(reversed)).toBe(c);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('canonicalJson - refuses what the retired audit and rail encoders let through, naming the path', () => {
    // The audit encoder wrote null for undefined in arrays and {} for a Date; the rail encoder wrote null for NaN,
    // "[1,]" for undefined in arrays and "\ud800" escapes for lone surrogates. None of these is I-JSON.
    const cases: Array<[unknown, string]> = [
      [{ list: [1, undefined] }, '$.list[1]'],
      // eslint-disable-next-line no-sparse-arrays -- a hole is what Array.prototype.map skipped in the old encoders
      [{ list: [1, , 3] }, '$.list[1]'],
      [{ at: new Date(0) }, '$.at'],
      [{ m: new Map([['a', 1]]) }, '$.m'],
      [{ s: Object('boxed') }, '$.s'],
      [{ n: Number.NaN }, '$.n'],
      [{ n: -Infinity }, '$.n'],
      [{ text: 'a\ud800b' }, '$.text'],
      [{ ['k\udc00']: 1 }, '$'],
      [{ f: () => 1 }, '$.f'],
      [{ s: Symbol('x') }, '$.s'],
      [{ b: 1n }, '$.b'],
    ];
    for (const [value, path] of cases) {
      expect(() => canonicalJson(value), path).toThrowError(
        expect.objectContaining({ code: 'MANDATE_ERR_CANONICAL_JSON', message: expect.stringContaining(`at ${path}`) }),
      );
    }
  });

  it('canonicalJson - objects without a prototype are plain, and well-formed astral characters pass unescaped', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: '😀', a: '\u2028' });
    expect(canonicalJson(bare)).toBe('{"a":"\u2028","b":"😀"}');
    expect(canonicalJson('\u0000\u001f')).toBe('"\\u0000\\u001f"');
  });

  it('canonicalJson - the bytes are the UTF-8 of the string', () => {
    expect(Buffer.from(canonicalJsonBytes({ é: '€' })).toString('hex')).toBe(
      Buffer.from('{"é":"€"}', 'utf8').toString('hex'),
    );
  });

  it('canonicalJson - strings are exactly JSON.stringify of well-formed strings, whatever their code units', () => {
    // Every code unit, so quotes, backslashes, controls, U+2028, DEL and paired and lone surrogates all occur.
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
        (a, b) => {
          for (const s of [a, b, `x${a}"${b}\\`]) {
            const wellFormed = (s as unknown as { isWellFormed(): boolean }).isWellFormed();
            if (wellFormed) expect(canonicalJson(s)).toBe(JSON.stringify(s));
            else
              expect(() => canonicalJson(s)).toThrow(expect.objectContaining({ code: 'MANDATE_ERR_CANONICAL_JSON' }));
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
