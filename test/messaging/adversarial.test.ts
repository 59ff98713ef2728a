import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AgentIdentity,
  agentInboxSubject,
  encodeEnvelope,
  FileReplayStore,
  MemoryTransport,
  MessageBus,
  RejectCode,
  ReplayGuard,
  signEnvelope,
  type Envelope,
  type Rejection,
} from '../../transport/index.ts';
import { MemoryCapabilityRegistry } from '../../registry/index.ts';
import { memoryNode, settle, TestClock } from './memoryNode.ts';

const CODES = new Set<string>(Object.values(RejectCode));
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('adversarial envelopes (fast-check): all refused with a coded reason, none reaching a handler', () => {
  const clock = new TestClock();
  let world: Awaited<ReturnType<typeof memoryNode>>;
  let handled = 0;
  let receiver: string;
  const sender = AgentIdentity.generate();
  const stranger = AgentIdentity.generate();
  const sources = { clock, random: (n: number) => crypto.getRandomValues(new Uint8Array(n)) };
  const valid = (draft: Partial<Parameters<typeof signEnvelope>[1]> = {}, who = sender): Envelope =>
    signEnvelope(who, { to: receiver, type: 'note', body: { n: 1 }, ...draft }, sources);

  /** Publishes raw bytes into the receiver's inbox; returns the rejections it caused. */
  async function inject(bytes: Uint8Array): Promise<Rejection[]> {
    const before = world.rejections.length;
    world.transport.publish(agentInboxSubject(receiver), bytes);
    await settle(4);
    return world.rejections.slice(before);
  }

  beforeAll(async () => {
    // Registrations outlive the clock jumps below (heartbeat expiry is tested in the registry's own tests).
    world = await memoryNode({ clock, registry: new MemoryCapabilityRegistry({ clock, ttlMs: 86_400_000 }) });
    const r = await world.bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'receiver', capabilities: [] },
      accepts: { note: { body: z.strictObject({ n: z.number() }) }, 'pay.request': { capability: 'payments.request' } },
      handler: async () => void handled++,
    });
    receiver = r.did;
    await world.registry.register(sender, {
      id: 'sender',
      node: 'elsewhere',
      nodeDid: sender.did,
      capabilities: [{ name: 'payments.request', version: '1.0.0' }],
    });
  });
  afterAll(async () => world.bus.close());

  it('adversarial - a genuine envelope is accepted (the baseline the other cases perturb)', async () => {
    const before = handled;
    expect(await inject(encodeEnvelope(valid()))).toEqual([]);
    expect(handled).toBe(before + 1);
  });

  it('adversarial - changing any field after signing is refused', async () => {
    const fields = [
      'v',
      'id',
      'from',
      'to',
      'type',
      'cap',
      're',
      'filter',
      'time',
      'exp',
      'nonce',
      'body',
      'sig',
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.oneof(fc.jsonValue(), fc.string(), fc.integer()),
        async (field, value) => {
          const env = valid() as Record<string, unknown>;
          fc.pre(JSON.stringify(env[field]) !== JSON.stringify(value));
          const before = handled;
          const out = await inject(enc({ ...env, [field]: value }));
          expect(out).toHaveLength(1);
          expect(CODES.has(out[0]!.code)).toBe(true);
          expect(handled).toBe(before);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('adversarial - schema-valid tampering of id, nonce, body or time is caught by the signature', async () => {
    const tamper: Record<string, (e: Envelope) => Partial<Envelope>> = {
      id: () => ({ id: 'ZZZZZZZZZZZZZZZZZZZZZZ' }),
      nonce: () => ({ nonce: 'bm9uY2Utbm9uY2Utbm9uY2U' }),
      body: () => ({ body: { n: 2 } }),
      time: (e) => ({ time: e.time - 1 }),
    };
    for (const [field, f] of Object.entries(tamper)) {
      const env = valid();
      const out = await inject(enc({ ...env, ...f(env) }));
      expect(
        out.map((r) => r.code),
        field,
      ).toEqual([RejectCode.signature]);
    }
  });

  it('adversarial - any single bit flip in the wire bytes is refused', async () => {
    const wire = encodeEnvelope(valid());
    await fc.assert(
      fc.asyncProperty(fc.nat(wire.length * 8 - 1), async (bit) => {
        const bytes = wire.slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        const before = handled;
        const out = await inject(bytes);
        expect(out).toHaveLength(1);
        expect(CODES.has(out[0]!.code)).toBe(true);
        expect(handled).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('adversarial - a signature spelled in non-canonical base64url (unused low bits set) is refused as malformed', async () => {
    // The 86th character carries 2 bits of the signature and 4 unused bits; decoders ignore the
    // unused bits, so without this check one signature would have 16 accepted spellings.
    const env = valid();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(env.sig.at(-1)!);
    expect(last & 0b1111).toBe(0);
    for (let unused = 1; unused < 16; unused++) {
      const sig = env.sig.slice(0, -1) + alphabet[last | unused];
      expect(Buffer.from(sig, 'base64url').equals(Buffer.from(env.sig, 'base64url'))).toBe(true);
      const before = handled;
      const out = await inject(enc({ ...env, sig }));
      expect(out.map((r) => r.code)).toEqual([RejectCode.malformed]);
      expect(handled).toBe(before);
    }
    expect(await inject(enc(env))).toEqual([]);
  });

  it('adversarial - replays inside the window are refused as REPLAY, outside it as EXPIRED', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 89_000 }), async (delay) => {
        const wire = encodeEnvelope(valid());
        expect(await inject(wire)).toEqual([]);
        const t0 = clock.t;
        clock.t += delay; // 60 s lifetime + 30 s skew: still inside the window
        const out = await inject(wire);
        clock.t = t0;
        expect(out.map((r) => r.code)).toEqual([RejectCode.replay]);
      }),
      { numRuns: 40 },
    );
    const wire = encodeEnvelope(valid());
    expect(await inject(wire)).toEqual([]);
    clock.t += 60_000 + 30_001;
    expect((await inject(wire)).map((r) => r.code)).toEqual([RejectCode.expired]);
    clock.t -= 60_000 + 30_001;
  });

  it('adversarial - wrong signer, unknown signer, revoked signer, unclaimed or unheld capability', async () => {
    const forged = { ...valid(), sig: valid({}, stranger).sig };
    expect((await inject(enc(forged))).map((r) => r.code)).toEqual([RejectCode.signature]);
    const impostor = signEnvelope(stranger, { to: receiver, type: 'note', body: { n: 1 } }, sources);
    expect((await inject(encodeEnvelope({ ...impostor, from: sender.did }))).map((r) => r.code)).toEqual([
      RejectCode.signature,
    ]);
    expect((await inject(encodeEnvelope(impostor))).map((r) => r.code)).toEqual([RejectCode.unknownSigner]);
    expect((await inject(encodeEnvelope(valid({ type: 'pay.request' })))).map((r) => r.code)).toEqual([
      RejectCode.capability,
    ]);
    expect((await inject(encodeEnvelope(valid({ type: 'note', cap: 'treasury.sweep' })))).map((r) => r.code)).toEqual([
      RejectCode.capability,
    ]);
    expect(await inject(encodeEnvelope(valid({ type: 'pay.request', cap: 'payments.request' })))).toEqual([]);
    const revoked = AgentIdentity.generate();
    await world.registry.register(revoked, { id: 'r', node: 'x', nodeDid: revoked.did, capabilities: [] });
    const early = encodeEnvelope(valid({}, revoked));
    await world.registry.revoke(revoked, { did: revoked.did, reason: 'key leaked', by: 'operator:sec' });
    expect((await inject(early)).map((r) => r.code)).toEqual([RejectCode.revoked]);
  });

  it('adversarial - oversized and malformed payloads are refused', async () => {
    const big = valid({ body: { n: 1, pad: 'x'.repeat(300 * 1024) } });
    expect((await inject(encodeEnvelope(big))).map((r) => r.code)).toEqual([RejectCode.tooLarge]);
    expect((await inject(encodeEnvelope(valid({ body: { n: 'one' } })))).map((r) => r.code)).toEqual([
      RejectCode.malformed,
    ]);
    const before = handled;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.jsonValue().map(enc)), async (bytes) => {
        const out = await inject(bytes);
        expect(out.map((r) => r.code)).toEqual([expectedRefusal(bytes)]);
      }),
      { numRuns: 200 },
    );
    expect(handled).toBe(before);
  });
});

describe('replay protection across a restart (file-backed store)', () => {
  it('replay - an envelope accepted before a node restart is refused after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-replay-'));
    try {
      const clock = new TestClock();
      const transport = new MemoryTransport();
      const registry = new MemoryCapabilityRegistry({ clock });
      const receiverId = AgentIdentity.generate();
      const sender = AgentIdentity.generate();
      await registry.register(sender, { id: 's', node: 'x', nodeDid: sender.did, capabilities: [] });
      const wire = encodeEnvelope(
        signEnvelope(
          sender,
          { to: receiverId.did, type: 'note', body: {} },
          { clock, random: (n) => crypto.getRandomValues(new Uint8Array(n)) },
        ),
      );
      const run = async () => {
        const rejections: Rejection[] = [];
        let handled = 0;
        const replay = new ReplayGuard(FileReplayStore.open(join(dir, 'replay.log'), clock.now()));
        const bus = await MessageBus.start({
          transport,
          registry,
          replay,
          clock,
          node: { id: 'n', identity: AgentIdentity.generate() },
          onReject: (r) => rejections.push(r),
        });
        await bus.attach({ identity: receiverId, accepts: { note: {} }, handler: async () => void handled++ });
        transport.publish(agentInboxSubject(receiverId.did), wire);
        await settle(4);
        await bus.close();
        await replay.close();
        return { handled, codes: rejections.map((r) => r.code) };
      };
      expect(await run()).toEqual({ handled: 1, codes: [] });
      expect(await run()).toEqual({ handled: 0, codes: [RejectCode.replay] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** §2 and §1: bytes that are a JSON object naming a version other than "1.1" are refused for the version; anything else that is no envelope is malformed. */
function expectedRefusal(bytes: Uint8Array): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return RejectCode.malformed;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return RejectCode.malformed;
  const v = (parsed as { v?: unknown }).v;
  return v !== undefined && v !== '1.1' ? RejectCode.version : RejectCode.malformed;
}
