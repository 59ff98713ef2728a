import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentIdentity } from './AgentIdentity.ts';
import { canonicalJson } from '../kernel/index.ts';
import { EnvelopeRejectedError } from './errors.ts';
import { openEnvelope } from './openEnvelope.ts';
import { InlineSignatureVerifier } from './SignatureVerifier.ts';
import { signingBytes } from './signEnvelope.ts';

interface Vector {
  name: string;
  seed: string;
  did: string;
  envelope: Record<string, unknown>;
  canonical: string;
  canonicalHex: string;
  signature: string;
  wire: string;
}
interface Invalid {
  name: string;
  wire: string;
  receiverTime: number;
  expect: string;
}
const file = JSON.parse(readFileSync(new URL('../docs/protocol-vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
  invalid: Invalid[];
};

/** What a receiver does with wire bytes before registry checks: open, then verify the signature. */
async function check(wire: string, now: number): Promise<string> {
  try {
    const env = openEnvelope(new TextEncoder().encode(wire), { now });
    const ok = await new InlineSignatureVerifier().verify(
      env.from,
      signingBytes(env),
      new Uint8Array(Buffer.from(env.sig, 'base64url')),
    );
    return ok ? 'ok' : 'MANDATE_ERR_ENVELOPE_SIGNATURE';
  } catch (err) {
    if (err instanceof EnvelopeRejectedError) return err.code;
    throw err;
  }
}

describe('protocol vectors (docs/protocol-vectors.json)', () => {
  it('protocol vectors - the file has vectors to check', () => {
    expect(file.vectors.length).toBeGreaterThanOrEqual(4);
    expect(file.invalid.length).toBeGreaterThanOrEqual(3);
  });

  for (const v of file.vectors) {
    it(`protocol vectors - ${v.name}: did, canonical bytes, signature and wire form recompute`, async () => {
      const id = AgentIdentity.fromSeed(new Uint8Array(Buffer.from(v.seed, 'hex')));
      expect(id.did).toBe(v.did);
      expect(canonicalJson(v.envelope)).toBe(v.canonical);
      expect(Buffer.from(signingBytes(v.envelope as never)).toString('hex')).toBe(v.canonicalHex);
      expect(Buffer.from(id.sign(new Uint8Array(Buffer.from(v.canonicalHex, 'hex')))).toString('base64url')).toBe(
        v.signature,
      );
      expect(canonicalJson({ ...v.envelope, sig: v.signature })).toBe(v.wire);
      expect(await check(v.wire, (v.envelope.time as number) + 1_000)).toBe('ok');
    });
  }

  it('protocol vectors - the vector printed in docs/protocol.md §13 is the first one of the JSON file', () => {
    const doc = readFileSync(new URL('../docs/protocol.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## 13. Test vector'));
    const v = file.vectors[0]!;
    for (const s of [v.seed, v.did, v.canonical, v.signature]) expect(section).toContain(s);
  });

  for (const bad of file.invalid) {
    it(`protocol vectors - invalid: ${bad.name} is refused with ${bad.expect}`, async () => {
      expect(await check(bad.wire, bad.receiverTime)).toBe(bad.expect);
    });
  }
});
