import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentIdentity } from './AgentIdentity.ts';
import { InlineSignatureVerifier } from './SignatureVerifier.ts';
import { WorkerSignatureVerifier } from './WorkerSignatureVerifier.ts';

describe('WorkerSignatureVerifier', () => {
  // inlineBelow 0: every signature goes to a worker, so the property exercises the threads.
  const workers = new WorkerSignatureVerifier({ threads: 2, inlineBelow: 0 });
  const hybrid = new WorkerSignatureVerifier({ threads: 1 });
  const inline = new InlineSignatureVerifier();
  afterAll(async () => {
    await workers.close();
    await hybrid.close();
  });

  it('verifier - worker threads give the same verdicts as inline verification, valid or tampered', async () => {
    const ids = [AgentIdentity.generate(), AgentIdentity.generate()];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          msg: fc.uint8Array({ maxLength: 300 }),
          signer: fc.nat(1),
          claimed: fc.nat(1),
          flip: fc.option(fc.nat(63 * 8)),
        }),
        async ({ msg, signer, claimed, flip }) => {
          const sig = ids[signer]!.sign(msg);
          if (flip !== null) sig[flip >> 3]! ^= 1 << (flip & 7);
          const did = ids[claimed]!.did;
          const expected = await inline.verify(did, msg, sig);
          expect(await workers.verify(did, msg, sig)).toBe(expected);
          expect(await hybrid.verify(did, msg, sig)).toBe(expected); // a lone signature: checked on this thread
          expect(expected).toBe(flip === null && signer === claimed);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('verifier - a batch arriving in one tick is verified completely, and bad dids are false not errors', async () => {
    const id = AgentIdentity.generate();
    const msgs = Array.from({ length: 200 }, (_, i) => new TextEncoder().encode(`m${i}`));
    const results = await Promise.all(
      msgs.map((m, i) => workers.verify(id.did, m, i % 7 === 0 ? new Uint8Array(64) : id.sign(m))),
    );
    expect(results.filter((r) => !r).length).toBe(Math.ceil(200 / 7));
    // The hybrid checks the first of a turn on this thread at once and ships the rest: same verdicts.
    const mixed = await Promise.all(
      msgs.map((m, i) => hybrid.verify(id.did, m, i % 7 === 0 ? new Uint8Array(64) : id.sign(m))),
    );
    expect(mixed).toEqual(results);
    expect(await workers.verify('did:key:zNotAKey', msgs[0]!, id.sign(msgs[0]!))).toBe(false);
    expect(await workers.verify(id.did, msgs[0]!, new Uint8Array(10))).toBe(false);
  });
});
