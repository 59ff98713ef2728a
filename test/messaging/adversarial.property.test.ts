/**
 * Adversarial property tests of protocol v1.1 (fast-check): generated envelopes and registry records,
 * forged, replayed, tampered, wrongly signed, unsigned and malformed. In CI the three properties generate
 * 100,000+ inputs in total; MANDATE_FUZZ_SCALE multiplies every run count (e.g. 10 for a longer manual run).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AgentIdentity,
  agentInboxSubject,
  encodeEnvelope,
  encodeRecord,
  EnvelopeAdmission,
  InlineSignatureVerifier,
  MemoryReplayStore,
  openEnvelope,
  RecordType,
  RejectCode,
  ReplayGuard,
  signEnvelope,
  signingBytes,
  signRecord,
  type Envelope,
} from '../../transport/index.ts';
import { MemoryCapabilityRegistry, RecordBook, type RecordProblem } from '../../registry/index.ts';
import { memoryNode, TestClock } from './memoryNode.ts';

const SCALE = Number(process.env.MANDATE_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const CODES = new Set<string>(Object.values(RejectCode));
const enc = new TextEncoder();
const json = (v: unknown) => enc.encode(JSON.stringify(v));

/** Anything an attacker can put on the wire: junk bytes, JSON of any shape, deep nesting, lone surrogates, and mutations of a genuine envelope. */
function hostileBytes(genuine: () => Envelope): fc.Arbitrary<Uint8Array> {
  const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
  const fields = [
    'v',
    'id',
    'from',
    'to',
    'type',
    'cap',
    're',
    'filter',
    'priority',
    'enc',
    'time',
    'exp',
    'nonce',
    'body',
    'sig',
  ];
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.jsonValue({ maxDepth: 4 }).map(json),
    fc.nat({ max: 20_000 }).map((n) => enc.encode('['.repeat(n) + ']'.repeat(n))),
    fc.nat({ max: 5_000 }).map((n) => enc.encode(`{"from":"x","body":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`)),
    fc
      .tuple(fc.constantFrom(...fields), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string(), surrogate))
      .map(([f, v]) => json({ ...genuine(), [f]: v })),
    fc
      .tuple(fc.constantFrom('from', 'id'), fc.oneof(fc.string(), fc.constant(undefined), fc.integer()))
      .map(([f, v]) => json({ ...genuine(), [f]: v })),
    surrogate.map((s) => json({ ...genuine(), body: { n: 1, s } })),
    fc.nat().map((bit) => {
      const wire = encodeEnvelope(genuine());
      const b = wire.slice();
      b[(bit >> 3) % b.length]! ^= 1 << (bit & 7);
      return b;
    }),
    fc.constant(0).map(() => json({ ...genuine(), v: 1 })),
  );
}

describe('adversarial properties of protocol v1.1 (fast-check)', () => {
  it(
    'adversarial - every refused request gets a valid, node-signed mandate.error with a §6 code; no handler runs; no input overflows the stack',
    async () => {
      const clock = new TestClock(Date.now());
      const { bus, registry, transport } = await memoryNode({
        clock,
        registry: new MemoryCapabilityRegistry({ clock, ttlMs: 86_400_000 }),
      });
      let handled = 0;
      const receiver = await bus.attach({
        identity: AgentIdentity.generate(),
        descriptor: { id: 'receiver', capabilities: [] },
        accepts: { note: { body: z.strictObject({ n: z.number() }) } },
        handler: async () => void handled++,
      });
      const stranger = AgentIdentity.generate();
      const sources = { clock, random: (n: number) => crypto.getRandomValues(new Uint8Array(n)) };
      const base = signEnvelope(stranger, { to: receiver.did, type: 'note', body: { n: 1 } }, sources);
      const node = bus.options.node.identity.did;
      const verifier = new InlineSignatureVerifier();
      let answered = 0;
      await fc.assert(
        fc.asyncProperty(
          hostileBytes(() => base),
          async (bytes) => {
            const reply = await transport.request(agentInboxSubject(receiver.did), bytes, { timeoutMs: 5_000 });
            const env = openEnvelope(reply, { now: clock.now() });
            expect(env).toMatchObject({ type: 'mandate.error', from: node, cap: 'mandate.node' });
            expect(env.to === undefined || /^did:key:z/.test(env.to)).toBe(true);
            expect(CODES.has((env.body as { code: string }).code)).toBe(true);
            expect(
              await verifier.verify(env.from, signingBytes(env), new Uint8Array(Buffer.from(env.sig, 'base64url'))),
            ).toBe(true);
            answered++;
          },
        ),
        { numRuns: runs(8_000) },
      );
      expect(handled).toBe(0);
      expect(answered).toBe(runs(8_000));
      void registry;
      await bus.close();
    },
    Math.max(120_000, 300_000 * SCALE),
  );

  it(
    'adversarial - no forged, tampered, wrongly signed, unsigned or replayed envelope is admitted; each genuine one exactly once',
    async () => {
      const clock = new TestClock(Date.now());
      const registry = new MemoryCapabilityRegistry({ clock, ttlMs: 86_400_000 });
      const admission = new EnvelopeAdmission({
        registry,
        verifier: new InlineSignatureVerifier(),
        replay: new ReplayGuard(new MemoryReplayStore()),
        clock,
      });
      const alice = AgentIdentity.generate();
      const mallory = AgentIdentity.generate();
      const bob = AgentIdentity.generate().did;
      await registry.register(alice, {
        id: 'alice',
        node: 'n',
        nodeDid: alice.did,
        capabilities: [{ name: 'pay.request', version: '1.0.0' }],
      });
      await registry.register(mallory, { id: 'mallory', node: 'n', nodeDid: mallory.did, capabilities: [] });
      const sources = { clock, random: (n: number) => crypto.getRandomValues(new Uint8Array(n)) };
      // A pool of genuine envelopes (signing is the expensive part); each is admitted at most once.
      const pool = Array.from({ length: 400 }, (_, i) =>
        signEnvelope(alice, { to: bob, type: 'note', body: { n: i } }, sources),
      );
      const used = new Set<string>();
      const req = {
        scope: bob,
        recipientOk: (to: string | undefined) => to === bob,
        accepts: { note: {}, 'pay.request': { capability: 'pay.request' } },
      };
      const outcome = async (bytes: Uint8Array): Promise<string> => {
        try {
          await admission.admit({ ...req, bytes });
          return 'ok';
        } catch (err) {
          return (err as { code?: string }).code ?? 'thrown';
        }
      };
      const attack = fc.oneof(
        // tampering: any member replaced after signing
        fc
          .tuple(
            fc.nat(399),
            fc.constantFrom('id', 'to', 'type', 'time', 'nonce', 'body', 'priority', 'cap'),
            fc.jsonValue({ maxDepth: 2 }),
          )
          .map(([i, f, v]) => ({ kind: 'tampered', bytes: json({ ...pool[i]!, [f]: v }), i, f, v })),
        // forgery: alice's envelope with mallory's signature, or mallory's signature claiming alice
        fc.nat(399).map((i) => ({
          kind: 'forged',
          bytes: json({
            ...pool[i]!,
            sig: signEnvelope(mallory, { to: bob, type: 'note', body: { n: i } }, sources).sig,
          }),
          i,
        })),
        // unsigned / wrong signer registered / signer unknown
        fc.nat(399).map((i) => ({ kind: 'unsigned', bytes: json({ ...pool[i]!, sig: undefined }), i })),
        fc.nat(399).map((i) => ({
          kind: 'stranger',
          bytes: encodeEnvelope(
            signEnvelope(
              AgentIdentity.fromSeed(new Uint8Array(32).fill(i % 256)),
              { to: bob, type: 'note', body: {} },
              sources,
            ),
          ),
          i,
        })),
        // replay: a genuine one sent again (and again)
        fc.nat(399).map((i) => ({ kind: 'replay', bytes: encodeEnvelope(pool[i]!), i })),
        // capability not held by the sender
        fc.nat(399).map((i) => ({
          kind: 'capability',
          bytes: encodeEnvelope(
            signEnvelope(mallory, { to: bob, type: 'pay.request', cap: 'pay.request', body: {} }, sources),
          ),
          i,
        })),
        hostileBytes(() => pool[0]!).map((bytes) => ({ kind: 'hostile', bytes, i: -1 })),
      );
      await fc.assert(
        fc.asyncProperty(attack, async (a) => {
          const got = await outcome(a.bytes);
          if (a.kind === 'replay') {
            const first = !used.has(pool[a.i]!.id);
            used.add(pool[a.i]!.id);
            expect(got).toBe(first ? 'ok' : RejectCode.replay);
            return;
          }
          if (got === 'ok') {
            // Only a no-op "tamper" (the same value, or a hostile copy of pool[0] identical to it) may pass: then it is a first delivery.
            const env = JSON.parse(new TextDecoder().decode(a.bytes)) as Envelope;
            expect(canonical(env)).toBe(canonical(pool.find((p) => p.id === env.id)!));
            expect(used.has(env.id)).toBe(false);
            used.add(env.id);
            return;
          }
          expect(CODES.has(got)).toBe(true);
        }),
        { numRuns: runs(60_000) },
      );
    },
    Math.max(120_000, 300_000 * SCALE),
  );

  it(
    'adversarial - registry records: nothing unsigned, tampered, mis-keyed or wrongly signed is ever used, every such record is reported',
    () => {
      const problems: RecordProblem[] = [];
      const book = new RecordBook({
        clock: { now: () => 1_767_225_615_000 },
        ttlMs: 30_000,
        onProblem: (p) => problems.push(p),
      });
      const ids = Array.from({ length: 8 }, (_, i) => AgentIdentity.fromSeed(new Uint8Array(32).fill(i + 1)));
      const body = (who: AgentIdentity, hb: number) => ({
        did: who.did,
        id: 'a',
        node: 'n',
        nodeDid: who.did,
        capabilities: [{ name: 'fx.quote', version: '1.0.0' }],
        registeredAt: 1_767_225_600_000,
        heartbeatAt: hb,
      });
      const genuine = ids.map((id) => signRecord(id, RecordType.descriptor, body(id, 1_767_225_600_000)));
      const key = (who: AgentIdentity) => who.did.slice(8);
      const record = fc.oneof(
        fc
          .tuple(
            fc.nat(7),
            fc.constantFrom('did', 'id', 'node', 'nodeDid', 'capabilities', 'reputation', 'heartbeatAt', 'status'),
            fc.jsonValue({ maxDepth: 2 }),
          )
          .map(([i, f, v]) => {
            const tampered = { ...genuine[i]!.body, [f]: v };
            // Setting a field to the value it already had is no tampering: that record is the genuine one.
            const untouched = canonical(tampered) === canonical(genuine[i]!.body);
            return { i, bytes: json({ ...genuine[i]!, body: tampered }), untouched };
          }),
        fc.tuple(fc.nat(7), fc.nat(7)).map(([i, j]) => ({
          i,
          bytes: encodeRecord(signRecord(ids[j]!, RecordType.descriptor, body(ids[i]!, 1_767_225_600_001 + j))),
          forgedBy: j,
        })),
        fc.nat(7).map((i) => ({ i, bytes: json(body(ids[i]!, 1_767_225_600_000)) })),
        fc.nat(7).map((i) => ({ i, bytes: json({ ...genuine[i]!, sig: genuine[(i + 1) % 8]!.sig }) })),
        fc.nat(7).map((i) => ({ i, bytes: json({ ...genuine[i]!, type: RecordType.revocation }) })),
        fc.tuple(fc.nat(7), fc.uint8Array({ maxLength: 200 })).map(([i, b]) => ({ i, bytes: b })),
        fc
          .tuple(fc.nat(7), fc.nat({ max: 5_000 }))
          .map(([i, n]) => ({ i, bytes: enc.encode('{"v":"1.1","body":' + '['.repeat(n) + ']'.repeat(n) + '}') })),
      );
      let ignored = 0;
      fc.assert(
        fc.property(record, (r) => {
          const before = problems.length;
          const used = book.putDescriptor(key(ids[r.i]!), r.bytes, Date.now());
          // A record signed by the agent itself about itself is genuine; anything else must be ignored.
          const self = ('forgedBy' in r && r.forgedBy === r.i) || ('untouched' in r && r.untouched);
          const same =
            !self &&
            used !== undefined &&
            canonical(used) === canonical({ ...genuine[r.i]!.body, status: 'active', reputation: 0.5, terms: {} });
          if (self || same) return;
          expect(used).toBeUndefined();
          expect(problems.length).toBe(before + 1);
          ignored++;
        }),
        { numRuns: runs(40_000) },
      );
      expect(ignored).toBeGreaterThan(runs(40_000) * 0.8);
    },
    Math.max(120_000, 300_000 * SCALE),
  );
});

function canonical(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}
