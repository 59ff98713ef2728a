import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentIdentity } from '../../transport/index.ts';
import { createRuntime, parseAgentYaml, PluginRegistry } from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';
import { openTestStore } from '../support/db.ts';
import { NatsServer } from '../support/natsServer.ts';
import { PeerProcess } from '../support/natsPeer.ts';

const MANAGER = fileURLToPath(new URL('../fixtures/managerNode.ts', import.meta.url));

const rules = `rules:
  - name: quote-it
    conditions: { all: [ { fact: input, path: $.n, operator: greaterThan, value: 0 } ] }
    event: { type: fx.quote, capability: fx.quote, params: { n: "$fact:input.n" } }
`;

/** A runtime agent (YAML) that bids for fx.quote and lets only `adopter` take its awards over. */
const quoterYaml = (adopter: string) => `id: quoter
capabilities: [fx.quote]
permissions: [ { capability: fx.quote, accounts: ["*"] } ]
perceive: [none]
rules: rules.yaml
act: quote
limits: { phaseTimeout: 90s }
contractor:
  price: { amount: "0.50", asset: USDC }
  eta: 200ms
  adopters: ["${adopter}"]
`;

describe('contract net: a runtime contractor audits the adoption of its award in the runtime chain (real nats-server, child processes)', () => {
  let ns: NatsServer;
  const cleanup: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await ns[Symbol.asyncDispose]();
  });

  it('contract net - the manager is SIGKILLed while a runtime agent works its award; the heir named in the YAML adopters adopts, the hand-over is in the audit chain before the result goes to the heir, and audit verify stays OK', async () => {
    const db = await openTestStore('postgresql');
    cleanup.push(async () => db[Symbol.asyncDispose]());
    let working!: () => void;
    const started = new Promise<void>((r) => (working = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const plugins = new PluginRegistry()
      .perceiver('none', () => ({}))
      .actuator(
        {
          name: 'quote',
          effect: 'internal',
          execute: async (a) => {
            working();
            await gate; // the award stays in progress until the adoption was checked
            return { status: 'succeeded', receipt: { reference: `rate-${String(a.params.n)}` } };
          },
        },
        ['fx.quote'],
      );
    const heirSeed = randomBytes(32);
    const heirDid = AgentIdentity.fromSeed(new Uint8Array(heirSeed)).did;
    const runtime = await createRuntime({
      nodeId: 'runtime-node',
      store: db.store,
      messaging: { natsUrl: ns.url, publishInspection: false, verifyThreads: 0 },
    });
    cleanup.push(() => runtime.shutdown());
    await runtime.spawn(
      await parseAgentYaml({ text: quoterYaml(heirDid), source: 'q.yaml', plugins, readRelative: async () => rules }),
    );
    const quoter = agentOf(runtime, 'quoter');

    const env = { NATS_URL: ns.url, TASK_ID: 'rebalance-21', TASK_CAP: 'fx.quote' };
    const oldSeed = randomBytes(32);
    const oldDid = AgentIdentity.fromSeed(new Uint8Array(oldSeed)).did;
    const old = await PeerProcess.start({ ...env, PEER_ID: 'manager-old' }, { script: MANAGER, seed: oldSeed });
    cleanup.push(() => old.kill());
    await old.waitFor(/STARTED rebalance-21/);
    await started; // the runtime agent won the award and is acting on it
    await old.kill();
    const heir = await PeerProcess.start(
      // The heir's registry must outlast the runtime's heartbeat period (10 s), or it refuses the quoter's replies.
      { ...env, PEER_ID: 'heir', ADOPT_FROM: oldDid, REGISTRY_TTL_MS: '12000' },
      { script: MANAGER, seed: heirSeed },
    );
    cleanup.push(() => heir.kill());
    await heir.waitFor(/ADOPTED rebalance-21/, 40_000);
    await heir.waitFor(/AUDIT .*handed\.over.*"outcome":"accepted"/, 15_000);

    // The contractor's answer was audited before it was sent: the entry is there while the work still runs.
    const { entries } = await db.store.audit.query({ agent: 'quoter', action: 'contractnet.award.*', limit: 10 });
    expect(entries, JSON.stringify(entries.map((e) => [e.action, e.why, e.data]))).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'contractnet.award.adopted',
      who: { kind: 'agent', id: heirDid },
      data: { taskId: 'rebalance-21', subtaskId: 'quote', by: heirDid, from: oldDid, manager: oldDid, resent: false },
    });

    release();
    const [, json] = (await heir.waitFor(/DONE rebalance-21 (.+)\n/, 40_000)) as unknown as [string, string];
    const outcomes = JSON.parse(json) as Record<string, { by: string; attempt: number; output: unknown }>;
    expect(outcomes.quote).toMatchObject({
      by: quoter.identity.did,
      attempt: 1,
      output: { agentId: 'quoter', outcome: { status: 'succeeded', receipt: { reference: 'rate-7' } } },
    });
    expect(quoter.cycles).toBe(1);
    const verified = await db.store.audit.verify();
    expect(verified.ok, JSON.stringify(verified.breaks[0])).toBe(true);
  }, 150_000);
});
