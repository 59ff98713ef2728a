import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentIdentity } from './AgentIdentity.ts';
import { EnvelopeSchema, isPlainEnvelope, PRIORITIES } from './Envelope.ts';
import { encodeEnvelope, signEnvelope } from './signEnvelope.ts';

const alice = AgentIdentity.fromSeed(new Uint8Array(32).fill(1));
const bob = AgentIdentity.fromSeed(new Uint8Array(32).fill(2));
const MEMBERS = Object.keys(EnvelopeSchema.shape);

/** Values a peer might put in any member: near-misses of every format the schema checks, and other JSON. */
const member = fc.oneof(
  fc.constantFrom(
    '1.1',
    '1.0',
    1.1,
    '*',
    'cap:fx.quote',
    'cap:',
    'cap:FX',
    bob.did,
    `${bob.did}x`,
    'did:key:z6Mk',
    'fx.quote',
    'Fx.quote',
    'fx..quote',
    'x'.repeat(129),
    'AAAAAAAA',
    'AAAAAAA',
    'A'.repeat(65),
    'A'.repeat(16),
    'A'.repeat(86),
    `${'A'.repeat(85)}B`,
    ...PRIORITIES,
    'URGENT',
    0,
    -1,
    -0,
    1.5,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    null,
    true,
    [],
    {},
  ),
  fc.string({ maxLength: 70 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A genuine envelope (JSON round-tripped, as a receiver sees it), then some members replaced, dropped or added. */
const envelope = fc
  .record({
    priority: fc.constantFrom(undefined, ...PRIORITIES),
    cap: fc.constantFrom(undefined, 'fx.quote'),
    to: fc.constantFrom(bob.did, '*', 'cap:fx.quote'),
    body: fc.jsonValue({ maxDepth: 3 }),
    edits: fc.array(
      fc.tuple(fc.constantFrom(...MEMBERS, 'extra', '__proto__', 'constructor'), fc.option(member, { nil: undefined })),
      { maxLength: 3 },
    ),
  })
  .map(({ priority, cap, to, body, edits }) => {
    const env = signEnvelope(alice, {
      to,
      type: 'fx.quote',
      body,
      ...(priority === undefined ? {} : { priority }),
      ...(cap === undefined ? {} : { cap }),
    });
    const raw = JSON.parse(new TextDecoder().decode(encodeEnvelope(env))) as Record<string, unknown>;
    for (const [key, value] of edits) {
      if (value === undefined) delete raw[key];
      else Object.defineProperty(raw, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return raw;
  });

describe('envelope shape', () => {
  it('envelope - the hand check accepts only what the zod schema accepts, unchanged, and every unedited envelope (fast-check)', () => {
    let plain = 0;
    fc.assert(
      fc.property(envelope, (raw) => {
        const parsed = EnvelopeSchema.safeParse(raw);
        if (isPlainEnvelope(raw)) {
          plain++;
          expect(parsed.success).toBe(true);
          expect(parsed.data).toEqual(raw);
        } else if (parsed.success) {
          // Not proven by hand, valid by schema: only the members the hand check leaves to the schema.
          expect('filter' in raw || 'enc' in raw).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
    expect(plain).toBeGreaterThan(1_000);
  });

  it('envelope - a broadcast filter or an encryption header is left to the schema', () => {
    const env = signEnvelope(alice, { to: '*', type: 'fx.quote', body: {}, filter: { group: 'treasury' } });
    const raw = JSON.parse(new TextDecoder().decode(encodeEnvelope(env))) as object;
    expect(isPlainEnvelope(raw)).toBe(false);
    expect(EnvelopeSchema.safeParse(raw).success).toBe(true);
  });
});
