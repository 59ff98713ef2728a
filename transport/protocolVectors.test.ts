import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentIdentity } from './AgentIdentity.ts';
import { canonicalJson } from '../kernel/index.ts';
import type { Envelope } from './Envelope.ts';
import { EnvelopeRejectedError } from './errors.ts';
import { MemoryReplayStore } from './MemoryReplayStore.ts';
import { openEnvelope } from './openEnvelope.ts';
import { openBody, x25519FromDid, x25519FromSeed } from './payloadCipher.ts';
import { ReplayGuard } from './ReplayGuard.ts';
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
  replay?: boolean;
}
const file = JSON.parse(readFileSync(new URL('../docs/protocol-vectors.json', import.meta.url), 'utf8')) as {
  protocol: string;
  vectors: Vector[];
  invalid: Invalid[];
  canonical: Array<{ rule: string; input: string; canonical?: string; error?: boolean }>;
  encryption: {
    vector: string;
    recipientSeed: string;
    recipientPublicKey: string;
    recipientSecretKey: string;
    plaintext: string;
  };
};

/** What a receiver does with wire bytes before registry checks: open, verify the signature, claim the nonce. */
async function check(wire: string, now: number, replay = new ReplayGuard(new MemoryReplayStore())): Promise<string> {
  try {
    const env = openEnvelope(new TextEncoder().encode(wire), { now });
    let bytes: Uint8Array;
    try {
      bytes = signingBytes(env);
    } catch {
      return 'MANDATE_ERR_ENVELOPE_MALFORMED';
    }
    const ok = await new InlineSignatureVerifier().verify(
      env.from,
      bytes,
      new Uint8Array(Buffer.from(env.sig, 'base64url')),
    );
    if (!ok) return 'MANDATE_ERR_ENVELOPE_SIGNATURE';
    await replay.check(env, { scope: env.to ?? '-', now: now });
    return 'ok';
  } catch (err) {
    if (err instanceof EnvelopeRejectedError) return err.code;
    throw err;
  }
}

describe('protocol vectors (docs/protocol-vectors.json)', () => {
  it('protocol vectors - the file is version 1.1 and has vectors of every kind', () => {
    expect(file.protocol).toBe('mandate/1.1');
    expect(file.vectors.length).toBeGreaterThanOrEqual(7);
    expect(file.invalid.length).toBeGreaterThanOrEqual(20);
    expect(file.canonical.length).toBeGreaterThanOrEqual(15);
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

  it('protocol vectors - the encrypted body opens with the recipient key (derived from its seed, or from its did)', async () => {
    const e = file.encryption;
    const v = file.vectors.find((x) => x.name === e.vector)!;
    const keys = x25519FromSeed(new Uint8Array(Buffer.from(e.recipientSeed, 'hex')));
    expect(Buffer.from(keys.publicKey).toString('hex')).toBe(e.recipientPublicKey);
    expect(Buffer.from(keys.secretKey).toString('hex')).toBe(e.recipientSecretKey);
    expect(Buffer.from(x25519FromDid(v.envelope.to as string)).toString('hex')).toBe(e.recipientPublicKey);
    const env = openEnvelope(new TextEncoder().encode(v.wire), { now: (v.envelope.time as number) + 1 });
    expect(canonicalJson(await openBody(env, keys))).toBe(e.plaintext);
    const forged: Envelope = { ...env, from: file.vectors[3]!.did };
    await expect(openBody(forged, keys)).rejects.toMatchObject({ code: 'MANDATE_ERR_ENVELOPE_ENCRYPTION' });
  });

  it('protocol vectors - every canonical-JSON rule of §3 recomputes', () => {
    for (const c of file.canonical) {
      if (c.error === true) expect(() => canonicalJson(JSON.parse(c.input)), c.rule).toThrow(/surrogate/);
      else expect(canonicalJson(JSON.parse(c.input)), c.rule).toBe(c.canonical);
    }
  });

  it('protocol vectors - the vector printed in docs/protocol.md §13 is the first one of the JSON file', () => {
    const doc = readFileSync(new URL('../docs/protocol.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## 13. Test vector'));
    const v = file.vectors[0]!;
    for (const s of [v.seed, v.did, v.canonical, v.signature]) expect(section).toContain(s);
  });

  for (const bad of file.invalid) {
    it(`protocol vectors - invalid: ${bad.name} is refused with ${bad.expect}`, async () => {
      if (bad.replay === true) {
        const replay = new ReplayGuard(new MemoryReplayStore());
        expect(await check(bad.wire, bad.receiverTime, replay)).toBe('ok');
        expect(await check(bad.wire, bad.receiverTime, replay)).toBe(bad.expect);
      } else expect(await check(bad.wire, bad.receiverTime)).toBe(bad.expect);
    });
  }
});
