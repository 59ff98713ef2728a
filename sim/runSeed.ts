import { createHash } from 'node:crypto';
import { checkInvariants, type Violation } from './invariants.ts';
import { SimBank } from './SimBank.ts';
import { SimChain } from './SimChain.ts';
import { SimClock } from './SimClock.ts';
import { SimDisk, type StorePlant } from './SimDisk.ts';
import { DEFAULT_IO_FAULTS } from './SimIo.ts';
import { SimNode, type SimWorld } from './SimNode.ts';
import { SimRandom } from './SimRandom.ts';

/** Options of one simulated run. */
export interface RunSeedOptions {
  seed: number;
  /** Simulator steps before the world heals (the per-seed length knob); default 100. */
  steps?: number;
  /** A bug to plant (`MANDATE_SIM_PLANT`), to show the simulator finds it. */
  plant?: StorePlant;
  /** Told what happens, step by step (`--trace`): deliveries, answers, crashes, and the world at a violation. */
  trace?: (line: string) => void;
}

/** What one seed did, and the first invariant it broke. */
export interface SeedResult {
  seed: number;
  ok: boolean;
  violation?: Violation & { step: number };
  steps: number;
  crashes: number;
  payments: number;
  /** Digest of the rails' ledgers and the intent log: the same seed gives the same digest. */
  digest: string;
}

/** At most this many steps after `steps` for the world to settle. */
const HEAL_STEPS = 400;

const operator = { kind: 'human' as const, id: 'sim-operator' };
const system = { kind: 'system' as const, id: 'sim-inbox' };

interface Message {
  agentId: string;
  invoiceId: string;
  amount: string;
}

/** Lets every promise chain that can run without simulated time run (no real I/O exists here). */
async function drain(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

function invoices(random: SimRandom): Message[] {
  return Array.from({ length: 4 + random.int(8) }, (_, i) => ({
    agentId: random.chance(0.6) ? 'payables' : 'treasury',
    invoiceId: `inv-${i + 1}`,
    amount: (1 + random.int(95_000) / 100).toFixed(2),
  }));
}

/**
 * Runs the whole runtime (scheduler, supervisors, agents, proposal pipeline, approvals, store,
 * rails) on simulated time under the faults `seed` draws, checking the invariants after every
 * step, then heals the world (no faults, every message delivered, every approval answered) and
 * checks again.
 */
export async function runSeed(o: RunSeedOptions): Promise<SeedResult> {
  const random = new SimRandom(o.seed);
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const world: SimWorld = {
    clock,
    random,
    disk: new SimDisk(o.plant),
    bank: new SimBank(),
    chain: new SimChain(),
    faults: { ...DEFAULT_IO_FAULTS },
    garbage: 0.1,
    calm: false,
  };
  const inbox = invoices(random);
  const mine = (): void => {
    world.chain.tick(clock.now(), random, world.calm ? 0 : 0.1);
    clock.schedule(0, 2_000, mine);
  };
  clock.schedule(0, 2_000, mine);
  const steps = o.steps ?? 100;
  let incarnation = 1;
  let node = new SimNode(world, incarnation);
  let crashes = 0;
  let audited = 0;

  const deliver = (): void => {
    const runtime = node.runtime;
    if (runtime === undefined || inbox.length === 0) return;
    const m = inbox.splice(random.int(Math.min(3, inbox.length)), 1)[0]!; // reordering
    o.trace?.(`t=${clock.now()} deliver ${JSON.stringify(m)}`);
    if (!world.calm && random.chance(0.05)) return; // lost
    if (!world.calm && random.chance(0.15)) inbox.push({ ...m }); // duplicated
    void runtime.trigger(m.agentId, system, { invoiceId: m.invoiceId, amount: m.amount }).then(
      (started) => void (started ? undefined : inbox.push(m)), // busy: redelivered later
      () => inbox.push(m),
    );
  };
  const answer = (approveChance: number): void => {
    const runtime = node.runtime;
    const pending = runtime?.listApprovals('pending') ?? [];
    if (runtime === undefined || pending.length === 0) return;
    const a = random.pick(pending);
    o.trace?.(`t=${clock.now()} answer approval ${a.id} of decision ${a.decisionId}`);
    const done = random.chance(approveChance)
      ? runtime.approve(a.id, operator, 'checked')
      : runtime.reject(a.id, operator, 'not this one');
    void done.catch(() => undefined);
  };
  const step = (): void => {
    const r = random.next();
    if (r < 0.25) deliver();
    else if (r < 0.33) answer(0.75);
    else if (r < 0.35 && !world.calm)
      node.io.kill(); // kill -9 between await points
    else if (r < 0.7) clock.fireNext(clock.now() + 5_000);
    else clock.fireNext(clock.now() + random.int(1_000));
  };

  const after = async (at: number): Promise<Violation | undefined> => {
    await drain();
    if (!node.io.alive) {
      o.trace?.(`t=${clock.now()} crash of incarnation ${node.io.incarnation}: ${node.crashedAt ?? 'kill -9'}`);
      crashes += 1;
      node.bury(world);
      node = new SimNode(world, ++incarnation);
      await drain();
    }
    const checked = checkInvariants({ ...world, now: clock.now() }, audited);
    if (typeof checked !== 'number') {
      o.trace?.(
        `world at the violation: ${JSON.stringify({ approvals: [...world.disk.approvals.values()], decisions: [...world.disk.decisions.values()].map((d) => ({ id: d.id, agent: d.agentId, action: d.action, verdict: d.verdict, outcome: d.outcome })), intents: [...world.disk.intents.values()], bank: world.bank.ledger, chain: world.chain.canonical() }, null, 1)}`,
      );
      return checked;
    }
    audited = checked;
    void at;
    return undefined;
  };

  const result = (i: number, violation?: Violation): SeedResult => ({
    seed: o.seed,
    ok: violation === undefined,
    ...(violation === undefined ? {} : { violation: { ...violation, step: i } }),
    steps: i,
    crashes,
    payments: world.bank.ledger.length + world.chain.canonical().length,
    digest: createHash('sha256')
      .update(JSON.stringify([world.bank.ledger, world.chain.canonical(), [...world.disk.intents.values()]]))
      .digest('hex')
      .slice(0, 16),
  });

  for (let i = 0; i < steps; i++) {
    step();
    const v = await after(i);
    if (v !== undefined) return result(i, v);
  }
  // Heal: no faults; deliver what is left, answer every approval, let retries and the chain settle.
  world.calm = true;
  let quiet = 0;
  for (let i = steps; i < steps + HEAL_STEPS; i++) {
    if (inbox.length > 0) deliver();
    answer(0.9);
    clock.fireNext(clock.now() + 5_000);
    const v = await after(i);
    if (v !== undefined) return result(i, v);
    // Settled: nothing left to deliver or answer, every agent idle, for a few steps in a row.
    const idle = node.runtime?.listAgents().every((a) => a.state === 'idle') === true;
    quiet = idle && inbox.length === 0 && node.runtime?.listApprovals('pending').length === 0 ? quiet + 1 : 0;
    if (quiet >= 5) {
      node.bury(world);
      return result(i);
    }
  }
  node.bury(world);
  return result(steps + HEAL_STEPS);
}
