import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentIdentity, InlineSignatureVerifier, openEnvelope, signingBytes } from '../../transport/index.ts';
import { canonicalJson } from '../../kernel/index.ts';

const script = fileURLToPath(new URL('../fixtures/peerVectors.py', import.meta.url));
const vectors = fileURLToPath(new URL('../../docs/protocol-vectors.json', import.meta.url));

function python(args: string[]): string {
  const r = spawnSync('python3', [script, ...args], { encoding: 'utf8' });
  if (r.error !== undefined || /No module named 'cryptography'/.test(r.stderr)) {
    throw new Error(
      `This test runs an independent Python peer: install python3 and its cryptography package (apt-get install python3-cryptography). ${r.error?.message ?? r.stderr}`,
    );
  }
  if (r.status !== 0) throw new Error(`python peer failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('a peer in another language (Python, written from docs/protocol.md)', () => {
  it('foreign peer - recomputes every protocol vector: did, canonical bytes, signature, wire verification', () => {
    const out = python([vectors]);
    expect(out).not.toMatch(/FAIL/);
    expect(out.match(/^ok /gm)?.length).toBeGreaterThanOrEqual(20);
  });

  it('foreign peer - an envelope signed in Python (non-canonical serialization, unicode, exponents) passes Mandate admission checks', async () => {
    const seed = new Uint8Array(32).fill(7);
    const me = AgentIdentity.generate();
    const now = 1_767_225_600_000;
    const wire = python(['sign', Buffer.from(seed).toString('hex'), me.did, String(now)]);
    const env = openEnvelope(new TextEncoder().encode(wire), { now: now + 500 });
    expect(env.from).toBe(AgentIdentity.fromSeed(seed).did);
    expect(canonicalJson(env.body)).toBe(
      '{"n":[1e+21,0.5,-7,1e-7],"note":"Grüße € 😀 \\"q\\"","pair":"EUR/USD","z":{"a":null,"b":1}}',
    );
    const verifier = new InlineSignatureVerifier();
    expect(await verifier.verify(env.from, signingBytes(env), new Uint8Array(Buffer.from(env.sig, 'base64url')))).toBe(
      true,
    );
    const tampered = { ...env, body: { ...(env.body as object), pair: 'EUR/GBP' } };
    expect(
      await verifier.verify(env.from, signingBytes(tampered), new Uint8Array(Buffer.from(env.sig, 'base64url'))),
    ).toBe(false);
  });
});
