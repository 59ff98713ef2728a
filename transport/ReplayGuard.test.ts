import { describe, expect, it } from 'vitest';
import { AgentIdentity } from './AgentIdentity.ts';
import type { Envelope } from './Envelope.ts';
import { MemoryReplayStore } from './MemoryReplayStore.ts';
import { MemoryReplayCheckpoint, type ReplayCheckpoint } from './ReplayCheckpoint.ts';
import { ReplayGuard } from './ReplayGuard.ts';
import { signEnvelope } from './signEnvelope.ts';

const alice = AgentIdentity.generate();
const bob = AgentIdentity.generate().did;
const at = (time: number): Envelope =>
  signEnvelope(
    alice,
    { to: bob, type: 'note', body: {} },
    { clock: { now: () => time }, random: (n) => crypto.getRandomValues(new Uint8Array(n)) },
  );
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code: string }) => e.code,
  );

describe('ReplayGuard with a checkpoint (local window)', () => {
  it('replay - a local window refuses repeats; after a restart, envelopes at or below the reserved mark are refused, newer ones accepted', async () => {
    const checkpoint = new MemoryReplayCheckpoint();
    const writes: number[] = [];
    const counting: ReplayCheckpoint = {
      load: (k) => checkpoint.load(k),
      reserve: async (k, upTo) => void (writes.push(upTo), await checkpoint.reserve(k, upTo)),
      close: async () => {},
    };
    const t = 1_767_225_600_000;
    const life1 = new ReplayGuard(new MemoryReplayStore(), { checkpoint: counting, reserveAheadMs: 5_000 });
    const early = at(t);
    expect(await code(life1.check(early, { scope: bob, now: t }))).toBe('ok');
    expect(await code(life1.check(early, { scope: bob, now: t }))).toBe('MANDATE_ERR_ENVELOPE_REPLAY');
    // Many envelopes inside the reservation: no write each.
    for (let i = 1; i <= 20; i++)
      expect(await code(life1.check(at(t + i * 100), { scope: bob, now: t + i * 100 }))).toBe('ok');
    expect(writes).toEqual([t + 5_000]);
    // Restart: a fresh window, the same checkpoint.
    const life2 = new ReplayGuard(new MemoryReplayStore(), { checkpoint: counting, reserveAheadMs: 5_000 });
    expect(await code(life2.check(early, { scope: bob, now: t + 3_000 }))).toBe('MANDATE_ERR_ENVELOPE_REPLAY');
    expect(await code(life2.check(at(t + 4_000), { scope: bob, now: t + 4_000 }))).toBe('MANDATE_ERR_ENVELOPE_REPLAY');
    expect(await code(life2.check(at(t + 5_001), { scope: bob, now: t + 5_001 }))).toBe('ok');
    // Capability scopes and durable deliveries use the exact shared store.
    const cap = at(t + 6_000);
    expect(await code(life2.check(cap, { scope: 'cap:fx.quote', now: t + 6_000 }))).toBe('ok');
    expect(await code(life2.check(cap, { scope: 'cap:fx.quote', now: t + 6_000 }))).toBe('MANDATE_ERR_ENVELOPE_REPLAY');
    expect(await code(life2.check(at(t + 6_500), { scope: bob, now: t + 6_500, durable: true }))).toBe('ok');
  });

  it('replay - the local window keeps a nonce until exp + skew and forgets it after, per sender and per scope', async () => {
    const guard = new ReplayGuard(new MemoryReplayStore(), {
      checkpoint: new MemoryReplayCheckpoint(),
      clockSkewMs: 1_000,
    });
    const t = 1_767_225_600_000;
    const env = at(t); // exp = t + 60 s
    expect(await code(guard.check(env, { scope: bob, now: t }))).toBe('ok');
    // Another scope is another window.
    expect(await code(guard.check(env, { scope: 'node-1', now: t }))).toBe('ok');
    expect(await code(guard.check(env, { scope: bob, now: t + 61_000 }))).toBe('MANDATE_ERR_ENVELOPE_REPLAY');
    // A later envelope of the same sender moves the window on; the old nonce's second is swept.
    expect(await code(guard.check(at(t + 62_500), { scope: bob, now: t + 62_500 }))).toBe('ok');
    expect(await code(guard.check(env, { scope: bob, now: t + 62_500 }))).toBe('ok'); // forgotten (openEnvelope refuses it as expired)
  });
});
