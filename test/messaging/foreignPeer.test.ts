import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AgentIdentity,
  agentInboxSubject,
  InlineSignatureVerifier,
  openEnvelope,
  signingBytes,
  type InboundMessage,
} from '../../transport/index.ts';
import { canonicalJson } from '../../kernel/index.ts';
import type { MemoryCapabilityRegistry } from '../../registry/index.ts';
import { memoryNode } from './memoryNode.ts';

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

describe('a peer in another language (Python, written from docs/protocol.md v1.1)', () => {
  it('foreign peer - recomputes every protocol vector: dids, canonical rules, signatures, invalid cases, registry records, the encrypted body', () => {
    const out = python([vectors]);
    expect(out).not.toMatch(/FAIL/);
    expect(out.match(/^ok /gm)?.length).toBeGreaterThanOrEqual(80);
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

  it('foreign peer - Python registers its own signed descriptor, sends an urgent encrypted request, and opens the encrypted, signed reply', async () => {
    const { bus, registry, transport, rejections } = await memoryNode();
    const seen: InboundMessage[] = [];
    const quoter = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'quoter', capabilities: [{ name: 'fx.quote', version: '1.1.0' }] },
      accepts: { 'fx.quote': { encrypted: true, body: z.strictObject({ pair: z.string(), amount: z.string() }) } },
      handler: async (m) => (seen.push(m), { rate: '1.0842', for: (m.body as { amount: string }).amount }),
    });
    const seed = Buffer.alloc(32, 9).toString('hex');
    const peerDid = AgentIdentity.fromSeed(new Uint8Array(32).fill(9)).did;
    const now = Date.now();
    // The peer is its own node: its descriptor names itself (nodeDid), signed with its key (§9).
    const descriptor = python(['descriptor', seed, peerDid, String(now)]).trim();
    (registry as MemoryCapabilityRegistry).putRaw('agents', peerDid.slice(8), new TextEncoder().encode(descriptor));
    expect((await registry.lookup(peerDid)).state).toBe('active');
    const request = python(['request', seed, quoter.did, '-', String(now), 'urgent']);
    const reply = await transport.request(agentInboxSubject(quoter.did), new TextEncoder().encode(request), {
      timeoutMs: 5_000,
    });
    expect(rejections).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.envelope).toMatchObject({
      from: peerDid,
      priority: 'urgent',
      enc: { alg: 'hpke-x25519-sha256-chacha20poly1305' },
    });
    expect(seen[0]!.body).toEqual({ pair: 'EUR/USD', amount: '1000.00' });
    const dir = mkdtempSync(join(tmpdir(), 'mandate-peer-'));
    try {
      writeFileSync(join(dir, 'reply.json'), Buffer.from(reply));
      expect(JSON.parse(Buffer.from(reply).toString('utf8'))).toMatchObject({
        to: peerDid,
        priority: 'urgent',
        type: 'fx.quote.reply',
      });
      expect(python(['open', seed, join(dir, 'reply.json')]).trim()).toBe('{"for":"1000.00","rate":"1.0842"}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await bus.close();
  });
});
