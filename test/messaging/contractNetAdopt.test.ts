import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentIdentity, NatsTransport } from '../../transport/index.ts';
import { NatsKvContractNetStore } from '../../registry/index.ts';
import { NatsServer } from '../support/natsServer.ts';
import { PeerProcess } from '../support/natsPeer.ts';

const MANAGER = fileURLToPath(new URL('../fixtures/managerNode.ts', import.meta.url));

/** The AUDIT lines a manager process printed, parsed. */
const audits = (p: PeerProcess) =>
  [...p.out.matchAll(/^AUDIT (.+)$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);

describe("contract net: a manager of another identity adopts a dead manager's open tasks (real nats-server, child processes)", () => {
  let ns: NatsServer;
  const cleanup: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await ns[Symbol.asyncDispose]();
  });

  it('contract net - the manager is SIGKILLed mid-task; a manager without contractnet.adopt is denied, one with it adopts, the contractor reports to it, the task completes once', async () => {
    const worker = await PeerProcess.start({ NATS_URL: ns.url, PEER_ID: 'worker', PEER_WORK_MS: '15000' });
    cleanup.push(() => worker.kill());
    const env = { NATS_URL: ns.url, TASK_ID: 'rebalance-11', TASK_CAP: 'fx.quote' };
    const oldSeed = randomBytes(32);
    const oldDid = AgentIdentity.fromSeed(new Uint8Array(oldSeed)).did;
    const old = await PeerProcess.start({ ...env, PEER_ID: 'manager-old' }, { script: MANAGER, seed: oldSeed });
    cleanup.push(() => old.kill());
    await old.waitFor(/STARTED rebalance-11/);
    await worker.waitFor(new RegExp(`AWARD quote 1 ${oldDid}`), 30_000);
    await old.kill(); // the award is out, the result is not back
    const adopting = { ...env, ADOPT_FROM: oldDid, REGISTRY_TTL_MS: '6000' };
    const uncapable = await PeerProcess.start(
      { ...adopting, PEER_ID: 'intruder', ADOPT_NO_CAP: '1' },
      { script: MANAGER },
    );
    cleanup.push(() => uncapable.kill());
    const heir = await PeerProcess.start({ ...adopting, PEER_ID: 'heir' }, { script: MANAGER });
    cleanup.push(() => heir.kill());
    await uncapable.waitFor(/DENIED MANDATE_ERR_TASK_ADOPT_DENIED/, 30_000);
    await heir.waitFor(/ADOPTED rebalance-11/, 30_000);
    const [, json] = (await heir.waitFor(/DONE rebalance-11 (.+)\n/, 40_000)) as unknown as [string, string];
    const outcomes = JSON.parse(json) as Record<string, { by: string; attempt: number; output: unknown }>;
    expect(outcomes.quote).toMatchObject({ by: worker.did, attempt: 1, output: { by: 'worker', input: { n: 7 } } });
    expect(worker.out.match(/AWARD quote/g)).toHaveLength(1); // the work ran once, for the old manager's award
    expect(heir.out).not.toMatch(/STARTED/);
    expect(uncapable.out).not.toMatch(/ADOPTED|DONE/);
    expect(audits(heir)).toEqual([
      expect.objectContaining({ type: 'contractnet.task.adopted', taskId: 'rebalance-11', from: oldDid, by: heir.did }),
      expect.objectContaining({
        type: 'contractnet.award.handed.over',
        contractor: worker.did,
        from: oldDid,
        by: heir.did,
        outcome: 'accepted',
      }),
    ]);
    const t = await NatsTransport.connect({ servers: ns.url });
    cleanup.push(() => t.close());
    const store = await NatsKvContractNetStore.open(t.nc);
    expect(await store.get(oldDid, 'rebalance-11')).toMatchObject({ status: 'adopted', adoptedBy: heir.did });
    expect(await store.get(heir.did, 'rebalance-11')).toMatchObject({ status: 'completed', adoptedFrom: oldDid });
    expect(await store.open(oldDid)).toEqual([]);
  }, 120_000);

  it('contract net - a contractor whose governance (adopters) does not name the adopter refuses the hand-over with a code, and keeps reporting to the manager that awarded the work', async () => {
    const allowed = AgentIdentity.generate().did; // some other manager: not the heir
    const worker = await PeerProcess.start({
      NATS_URL: ns.url,
      PEER_ID: 'worker',
      PEER_WORK_MS: '15000',
      PEER_ADOPTERS: allowed,
    });
    cleanup.push(() => worker.kill());
    const env = { NATS_URL: ns.url, TASK_ID: 'rebalance-12', TASK_CAP: 'fx.quote' };
    const oldSeed = randomBytes(32);
    const oldDid = AgentIdentity.fromSeed(new Uint8Array(oldSeed)).did;
    const old = await PeerProcess.start({ ...env, PEER_ID: 'manager-old' }, { script: MANAGER, seed: oldSeed });
    cleanup.push(() => old.kill());
    await worker.waitFor(new RegExp(`AWARD quote 1 ${oldDid}`), 30_000);
    await old.kill();
    const heir = await PeerProcess.start(
      { ...env, PEER_ID: 'heir', ADOPT_FROM: oldDid, REGISTRY_TTL_MS: '6000' },
      { script: MANAGER },
    );
    cleanup.push(() => heir.kill());
    await heir.waitFor(/ADOPTED rebalance-12/, 30_000);
    await heir.waitFor(/AUDIT .*handed\.over/, 15_000);
    expect(audits(heir).find((a) => a.type === 'contractnet.award.handed.over')).toMatchObject({
      contractor: worker.did,
      outcome: 'MANDATE_ERR_TASK_ADOPT_DENIED',
    });
  }, 90_000);
});
