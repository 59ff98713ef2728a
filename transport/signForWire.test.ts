import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJsonBytes, CanonicalJsonError } from '../kernel/index.ts';
import { AgentIdentity } from './AgentIdentity.ts';
import { encodeEnvelope, signEnvelope, signForWire, signingBytes, type EnvelopeDraft } from './signEnvelope.ts';
import { wireSigningBytes } from './wireSigningBytes.ts';

const alice = AgentIdentity.generate();
const bob = AgentIdentity.generate();
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const json = fc.jsonValue({ maxDepth: 4 }).filter((v) => v !== undefined);
const draft: fc.Arbitrary<EnvelopeDraft> = fc.record(
  {
    to: fc.constantFrom(bob.did, '*', 'cap:fx.quote'),
    type: fc.oneof(
      fc.constantFrom('fx.order', 'task.cfp'),
      text.filter((s) => s.length > 0),
    ),
    body: json,
    cap: fc.oneof(fc.constant('fx.quote'), text),
    re: fc.constant('AAAAAAAAAAAAAAAAAAAAAA'),
    priority: fc.constantFrom('low', 'normal', 'high', 'urgent'),
    filter: fc.record({ capability: fc.constant('fx.quote') }, { requiredKeys: [] }),
    ttlMs: fc.integer({ min: 1, max: 300_000 }),
  },
  { requiredKeys: ['type', 'body'] },
);

describe('signForWire', () => {
  it('signing - the envelope text written member by member is exactly RFC 8785 of the envelope (kernel canonicalJson), and the wire bytes are it with sig spliced in', () => {
    fc.assert(
      fc.property(draft, (d) => {
        const { envelope, signed, wire } = signForWire(alice, d);
        const { sig, ...unsigned } = envelope;
        expect(Buffer.from(signed).equals(Buffer.from(canonicalJsonBytes(unsigned)))).toBe(true);
        expect(JSON.parse(Buffer.from(wire).toString('utf8'))).toEqual(JSON.parse(JSON.stringify(envelope))); // -0 is 0 in JSON
        // A receiver reads the same bytes off the wire (or, for escaped or non-ASCII keys, canonicalizes the parse).
        const read = wireSigningBytes(wire, 32);
        if (read !== undefined) expect(Buffer.from(read).equals(Buffer.from(signed))).toBe(true);
        expect(AgentIdentity.verify(alice.did, signed, new Uint8Array(Buffer.from(sig, 'base64url')))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('signing - signEnvelope gives the same bytes through signingBytes and encodeEnvelope', () => {
    const env = signEnvelope(alice, { to: bob.did, type: 'fx.order', body: { n: 1, é: ['\u0001'] } });
    const { sig: _sig, ...unsigned } = env;
    expect(Buffer.from(signingBytes(env)).equals(Buffer.from(canonicalJsonBytes(unsigned)))).toBe(true);
    expect(JSON.parse(Buffer.from(encodeEnvelope(env)).toString('utf8'))).toEqual(env);
  });

  it('signing - a value with no canonical form is refused with the path of the member that holds it', () => {
    expect(() => signForWire(alice, { to: bob.did, type: 'fx.order', body: { a: [1, Number.NaN] } })).toThrow(
      expect.objectContaining({ details: { path: '$.body.a[1]' } }) as CanonicalJsonError,
    );
    expect(() => signForWire(alice, { to: bob.did, type: 'fx.\ud800', body: 1 })).toThrow(
      expect.objectContaining({ details: { path: '$.type' } }) as CanonicalJsonError,
    );
  });
});
