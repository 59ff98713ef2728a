import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJsonBytes } from '../kernel/index.ts';
import { AgentIdentity } from './AgentIdentity.ts';
import { EnvelopeAdmission } from './EnvelopeAdmission.ts';
import { RejectCode } from './errors.ts';
import { openEnvelope } from './openEnvelope.ts';
import { ReplayGuard } from './ReplayGuard.ts';
import { MemoryReplayStore } from './MemoryReplayStore.ts';
import { InlineSignatureVerifier } from './SignatureVerifier.ts';
import { encodeEnvelope, signEnvelope, signingBytes } from './signEnvelope.ts';
import { jsonNestingDepth } from './jsonNestingDepth.ts';
import { wireSigningBytes } from './wireSigningBytes.ts';
import { MemoryCapabilityRegistry } from '../registry/index.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const alice = AgentIdentity.fromSeed(new Uint8Array(32).fill(7));
const bob = AgentIdentity.fromSeed(new Uint8Array(32).fill(9));
const T0 = 1_800_000_000_000;
const fixed = (body: unknown, extra: object = {}) =>
  signEnvelope(
    alice,
    { to: bob.did, type: 'fx.quote', body, ...extra },
    { clock: { now: () => T0 }, random: (n) => new Uint8Array(n).fill(3) },
  );

/** What the full check of §3 gives: the JCS of the parsed envelope without `sig`, or undefined when none exists. */
function oracle(text: string): { bytes: Uint8Array; sig: unknown } | undefined {
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { sig, ...rest } = parsed as Record<string, unknown>;
  try {
    return { bytes: canonicalJsonBytes(rest), sig };
  } catch {
    return undefined;
  }
}

/** Soundness: whenever the scan claims the signing bytes, they are exactly what re-canonicalizing gives. */
function assertSound(text: string): void {
  let parsedOk = true;
  try {
    JSON.parse(text);
  } catch {
    parsedOk = false;
  }
  if (!parsedOk) return; // the scan is only ever called after JSON.parse accepted the bytes
  const got = wireSigningBytes(enc.encode(text), 32);
  if (got === undefined) return;
  const want = oracle(text);
  expect(want).toBeDefined();
  expect(dec.decode(got)).toBe(dec.decode(want!.bytes));
  expect(text.endsWith(`,"sig":"${String(want!.sig)}"}`)).toBe(true);
}

describe('wireSigningBytes', () => {
  it('wireSigningBytes - reads the canonical bytes off what signEnvelope sends', () => {
    const env = fixed({ pair: 'EURUSD', amount: '1000.00', n: -12, x: [1.5, 1e21, 1e-7, true, null, 'é\n"\u0001'] });
    const got = wireSigningBytes(encodeEnvelope(env), 32);
    expect(got).toBeDefined();
    const { sig: _sig, ...unsigned } = env;
    expect(dec.decode(got)).toBe(dec.decode(canonicalJsonBytes(unsigned)));
  });

  it('wireSigningBytes - declines every form that is not canonical plus a spliced sig', () => {
    const env = fixed({ a: 1, b: 'x/y' });
    const wire = dec.decode(encodeEnvelope(env));
    const variants = [
      JSON.stringify(env, null, 1), // whitespace
      JSON.stringify(Object.fromEntries(Object.entries(env).reverse())), // sig first, members unsorted
      wire.replace('"a":1', '"a":1.0'), // non-canonical number
      wire.replace('"a":1', '"a":1e0'),
      wire.replace('x/y', 'x\\/y'), // needless escape
      wire.replace('"b":"x', '"b":"\\u0078'), // escaped letter
      wire.replace('{"a":1,"b"', '{"b":"z","a":1,"b"'), // duplicate/unsorted body keys
      wire.slice(0, -1) + ' }',
    ];
    for (const v of variants) {
      expect(v).not.toBe(wire);
      expect(wireSigningBytes(enc.encode(v), 32), v).toBeUndefined();
      assertSound(v);
    }
  });

  it('wireSigningBytes - non-ASCII keys are left to the full check (UTF-8 byte order is not UTF-16 order)', () => {
    const env = fixed({ '\u{1F600}': 2, '\uFB33': 1 });
    const wire = dec.decode(encodeEnvelope(env));
    expect(wire).toContain('{"\u{1F600}":2,"\uFB33":1}'); // RFC 8785: U+D83D sorts before U+FB33
    // In UTF-8 byte order the other way round looks sorted; it is not canonical.
    const byteOrder = wire.replace('{"\u{1F600}":2,"\uFB33":1}', '{"\uFB33":1,"\u{1F600}":2}');
    expect(wireSigningBytes(enc.encode(byteOrder), 32)).toBeUndefined();
    assertSound(byteOrder);
  });

  it('wireSigningBytes - a second top-level sig in the signed part is not read as signed', () => {
    const env = fixed(null);
    const wire = dec.decode(encodeEnvelope(env));
    // Insert a sorted-position "sig" member before "time": canonical order, but a duplicate of the spliced one.
    const dup = wire.replace('"time":', `"sig":"${env.sig}","time":`);
    expect(wireSigningBytes(enc.encode(dup), 32)).toBeUndefined();
  });

  it('wireSigningBytes - is sound on generated bodies, re-serializations and byte mutations (fast-check)', () => {
    const body = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(body, fc.nat(), fc.integer({ min: 0x20, max: 0x7e }), (b, at, ch) => {
        const env = fixed(b);
        const wire = dec.decode(encodeEnvelope(env));
        assertSound(wire);
        assertSound(JSON.stringify(env));
        const i = at % wire.length;
        assertSound(wire.slice(0, i) + String.fromCharCode(ch) + wire.slice(i + 1));
        assertSound(wire.slice(0, i) + wire.slice(i + 1));
      }),
      { numRuns: 3_000 },
    );
  });

  it('wireSigningBytes - declines canonical bytes nested deeper than the limit, so a defined result proves the depth (fast-check)', () => {
    // A body of arrays and objects nested `n` levels: the envelope is n + 1 deep.
    const nested = (n: number, objects: boolean): unknown =>
      n === 0 ? 1 : objects ? { a: nested(n - 1, objects) } : [nested(n - 1, objects)];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (n, limit, objects) => {
          const wire = encodeEnvelope(fixed(nested(n, objects)));
          const got = wireSigningBytes(wire, limit);
          expect(got !== undefined).toBe(n + 1 <= limit);
          expect(jsonNestingDepth(wire, 64)).toBe(n + 1);
        },
      ),
      { numRuns: 500 },
    );
    // A thousand levels: declined without recursing past the limit (no stack overflow).
    const deep = enc.encode(
      dec
        .decode(encodeEnvelope(fixed(null)))
        .replace('"body":null', `"body":${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    );
    expect(wireSigningBytes(deep, 32)).toBeUndefined();
  });

  it('wireSigningBytes - admission accepts the genuine canonical wire and refuses canonical-form tampering', async () => {
    const registry = new MemoryCapabilityRegistry({ ttlMs: 3_600_000 });
    await registry.register(alice, { id: 'alice', node: 'n', nodeDid: alice.did, capabilities: [] });
    const admission = new EnvelopeAdmission({
      registry,
      verifier: new InlineSignatureVerifier(),
      replay: new ReplayGuard(new MemoryReplayStore()),
      clock: { now: () => Date.now() },
    });
    const req = { scope: bob.did, recipientOk: (to?: string) => to === bob.did, accepts: { 'fx.quote': {} } };
    const env = signEnvelope(alice, { to: bob.did, type: 'fx.quote', body: { amount: '1000.00' } });
    const wire = encodeEnvelope(env);
    const opened = openEnvelope(wire, { now: Date.now() });
    expect(signingBytes(opened)).toEqual(wireSigningBytes(wire, 32));
    await expect(admission.admit({ bytes: wire, ...req })).resolves.toMatchObject({ body: { amount: '1000.00' } });
    // Still canonical after the edit, so the fast path is taken, and the signature no longer matches.
    const tampered = enc.encode(dec.decode(encodeEnvelope(env)).replace('1000.00', '9000.00'));
    expect(wireSigningBytes(tampered, 32)).toBeDefined();
    await expect(admission.admit({ bytes: tampered, ...req })).rejects.toMatchObject({ code: RejectCode.signature });
  });
});
