import { describe, expect, it } from 'vitest';
import { eventually, memoryNode } from '../test/messaging/memoryNode.ts';
import { AgentIdentity, type InboundMessage } from '../transport/index.ts';
import type { AdoptionAnswer } from './AwardAdoptions.ts';
import { ContractNetContractor } from './ContractNetContractor.ts';
import { ADOPT_CAPABILITY, ContractNetType } from './contractNetMessages.ts';

/**
 * A contractor working one award from `old` on the in-process bus (or, with `awardFirst: false`, about to: call
 * `sendAward`), and managers that may try to adopt it: `heir` and `rival` are on its adopters list, `intruder` is not.
 * The report of each answer takes a few milliseconds, as an audit write does, so adoptions can overlap.
 */
async function setup(failAudit: () => boolean, { awardFirst = true } = {}) {
  const { bus } = await memoryNode();
  const got: Array<{ to: string; type: string; awardId: unknown }> = [];
  const manager = (id: string, adopts: boolean) =>
    bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id, capabilities: adopts ? [{ name: ADOPT_CAPABILITY, version: '1.0.0' }] : [] },
      accepts: { [ContractNetType.result]: {}, [ContractNetType.progress]: {} },
      durable: true,
      handler: async (m: InboundMessage) =>
        void got.push({ to: id, type: m.envelope.type, awardId: (m.body as { awardId?: unknown }).awardId }),
    });
  const [old, heir, intruder] = [await manager('old', false), await manager('heir', true), await manager('x', true)];
  const rival = await manager('rival', true);
  const answers: AdoptionAnswer[] = [];
  let finish!: () => void;
  const gate = new Promise<void>((r) => (finish = r));
  const contractor = await ContractNetContractor.attach({
    identity: AgentIdentity.generate(),
    bus,
    descriptor: { id: 'worker', capabilities: [{ name: 'fx.quote', version: '1.0.0' }] },
    bid: async () => ({ etaMs: 10, confidence: 1 }),
    perform: async () => (await gate, { rate: '1.08' }),
    progressEveryMs: 60_000,
    adopters: [heir.did, rival.did],
    onAdoption: async (a) => {
      await new Promise((r) => setTimeout(r, 10));
      if (failAudit()) throw new Error('audit store down');
      answers.push(a);
    },
  });
  const ids = { taskId: 't-1', subtaskId: 'q', awardId: 'award-1' };
  const sendAward = () =>
    old.sendDurable({
      to: contractor.did,
      type: ContractNetType.award,
      body: { ...ids, capability: 'fx.quote', input: { n: 1 }, deadline: Date.now() + 60_000, attempt: 1 },
    });
  if (awardFirst) await sendAward();
  const adopt = (by: typeof heir) =>
    by.request({
      to: contractor.did,
      type: ContractNetType.adopt,
      cap: ADOPT_CAPABILITY,
      body: { ...ids, from: old.did },
      timeoutMs: 2_000,
    });
  return { old, heir, intruder, rival, answers, got, finish, adopt, sendAward, contractor: contractor.did };
}

describe('contract net: a contractor reports every answer to a hand-over (task.adopt) before it takes effect', () => {
  it('contract net - a denied adoption is reported with its reason, an accepted one with both managers, and the result goes to the adopter', async () => {
    const s = await setup(() => false);
    await expect(s.adopt(s.intruder)).rejects.toMatchObject({
      details: { remoteCode: 'MANDATE_ERR_TASK_ADOPT_DENIED' },
    });
    expect(s.answers).toEqual([
      expect.objectContaining({
        type: 'contractnet.award.adopt.denied',
        awardId: 'award-1',
        by: s.intruder.did,
        from: s.old.did,
        manager: s.old.did,
        reason: expect.stringContaining('adopters list does not name it'),
      }),
    ]);
    await expect(s.adopt(s.heir)).resolves.toMatchObject({ body: { accepted: true } });
    expect(s.answers[1]).toMatchObject({
      type: 'contractnet.award.adopted',
      by: s.heir.did,
      from: s.old.did,
      manager: s.old.did,
      resent: false,
    });
    s.finish();
    await eventually(() => s.got.some((g) => g.type === ContractNetType.result), 'the result arrives');
    expect(s.got.filter((g) => g.type === ContractNetType.result)).toEqual([
      { to: 'heir', type: ContractNetType.result, awardId: 'award-1' },
    ]);
  });

  it('contract net - when the report cannot be written the hand-over is refused and the award stays with its manager', async () => {
    let down = true;
    const s = await setup(() => down);
    await expect(s.adopt(s.heir)).rejects.toMatchObject({ message: expect.stringContaining('audit store down') });
    down = false;
    s.finish();
    await eventually(() => s.got.some((g) => g.type === ContractNetType.result), 'the result arrives');
    expect(s.got.filter((g) => g.type === ContractNetType.result).map((g) => g.to)).toEqual(['old']);
    expect(s.answers).toEqual([]);
  });

  it.each([true, false])(
    'contract net - two managers adopting one award at the same instant: one wins, the other is refused and reported as refused (award arrived first: %s)',
    async (awardFirst) => {
      const s = await setup(() => false, { awardFirst });
      const [a, b] = await Promise.allSettled([s.adopt(s.heir), s.adopt(s.rival)]);
      // In arrival order: the heir asked first and won; the rival is refused against the new holder.
      expect(a).toMatchObject({ status: 'fulfilled', value: { body: { accepted: true } } });
      expect(b).toMatchObject({
        status: 'rejected',
        reason: { details: { remoteCode: 'MANDATE_ERR_TASK_ADOPT_DENIED' } },
      });
      expect(s.answers).toEqual([
        expect.objectContaining({ type: 'contractnet.award.adopted', by: s.heir.did, from: s.old.did }),
        expect.objectContaining({
          type: 'contractnet.award.adopt.denied',
          by: s.rival.did,
          from: s.old.did,
          manager: s.heir.did,
          reason: expect.stringContaining(`managed by ${s.heir.did}, not by ${s.old.did}`),
        }),
      ]);
      if (!awardFirst) await s.sendAward();
      s.finish();
      await eventually(() => s.got.some((g) => g.type === ContractNetType.result), 'the result arrives');
      expect(s.got.filter((g) => g.type === ContractNetType.result).map((g) => g.to)).toEqual(['heir']);
      // Taking it over from the winner (a chain of hand-overs) is still possible: the finished result is sent again.
      await expect(
        s.rival.request({
          to: s.contractor,
          type: ContractNetType.adopt,
          cap: ADOPT_CAPABILITY,
          body: { taskId: 't-1', subtaskId: 'q', awardId: 'award-1', from: s.heir.did },
          timeoutMs: 2_000,
        }),
      ).resolves.toMatchObject({ body: { accepted: true } });
      expect(s.answers[2]).toMatchObject({
        type: 'contractnet.award.adopted',
        by: s.rival.did,
        manager: s.heir.did,
        resent: true,
      });
      await eventually(() => s.got.some((g) => g.to === 'rival'), 'the result is sent again to the rival');
    },
  );
});
