/**
 * A real system behind a real gateway for API, MCP, e2e tests and the bench:
 * the treasury example's agents on the runtime core, a fresh PostgreSQL
 * database through the MikroORM store, one token per role, and the gateway
 * listening on 127.0.0.1 port 0.
 *
 * The runtime runs on XState's SimulatedClock, so no agent cycles on its own:
 * each test drives exactly the cycles it asserts on (`drive`, `invoiceTask`),
 * and the audit times are the wall-clock time the clock was set to.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimulatedClock } from 'xstate';
import { parse as parseYaml } from 'yaml';
import type { FastifyInstance } from 'fastify';
import { governanceFileSchema } from '../../actors/index.ts';
import { setup } from '../../examples/treasury/index.ts';
import type { TreasurySimulation } from '../../examples/treasury/TreasurySimulation.ts';
import { createGateway, saveTokenFile, TokenStore, type AuthThrottleOptions, type Role } from '../../gateway/index.ts';
import { createRuntime, type MandateRuntime, type TaskResult } from '../../runtime/index.ts';
import { openStore, type PostgresStore } from '../../runtime/persistence/index.ts';
import { buildUi } from '../support/buildUi.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SYSTEM = { kind: 'system', id: 'test-fixture' } as const;

/** What a test gets. */
export interface GatewayFixture {
  url: string;
  app: FastifyInstance;
  /** Plaintext token per role (the token names equal the role names). */
  tokens: Record<Role, string>;
  /** The token file the gateway manages (`/api/tokens`), holding the three tokens. */
  tokenFile: string;
  runtime: MandateRuntime;
  store: PostgresStore;
  sim: TreasurySimulation;
  clock: SimulatedClock;
  /** Waits (up to 5 s) until `agentId` is idle, e.g. after a kill switch release, whose effect reaches the actor asynchronously. */
  idle(agentId: string): Promise<void>;
  /** Waits for the task's agent to be idle, then submits it and resolves with its result. */
  submit(task: { capability: string; input: Record<string, unknown> }): Promise<TaskResult>;
  /** Runs `cycles` full cycles of `agentId` (default the FX rebalancer, which touches no invoice), one after another. */
  drive(cycles: number, agentId?: string): Promise<void>;
  /** Makes `invoiceId` the payables agent's next due invoice (earlier ones count as paid, it is due again even if paid) and returns the task that pays it. */
  invoiceTask(invoiceId: string): { capability: string; input: Record<string, unknown> };
  /** A task governance approves outright: the next small, unsanctioned invoice. */
  allowedTask(): { capability: string; input: Record<string, unknown> };
  /** A task governance denies: the invoice to the sanctioned counterparty. */
  deniedTask(): { capability: string; input: Record<string, unknown> };
  /** Starts paying the large invoice (INV-1003, over the approval threshold); resolves once its approval is pending. */
  pendingApproval(): Promise<{ approvalId: string; task: Promise<TaskResult> }>;
  rejectApproval(approvalId: string): Promise<void>;
  releaseKillSwitch(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the whole stack; `close()` tears every piece down. */
export async function startGatewayFixture(
  options: { buildUi?: boolean; authThrottle?: AuthThrottleOptions | false } = {},
): Promise<GatewayFixture> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(async () => {
      await db[Symbol.asyncDispose]();
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'mandate-gw-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const store = await openStore({
      databaseUrl: db.url,
      dataDir,
      secretKey: Buffer.alloc(32, 7).toString('base64'),
      env: {},
    });
    cleanups.push(() => store.close());

    const clock = new SimulatedClock();
    clock.set(Date.now());
    const governance = governanceFileSchema.parse(
      parseYaml(await readFile(join(root, 'examples/treasury/governance.yaml'), 'utf8')),
    );
    const runtime = await createRuntime({ mode: 'dry-run', clock, store, governance, nodeId: 'node-test' });
    cleanups.push(() => runtime.shutdown());
    const { sim } = await setup(runtime);
    await runtime.setGate({ name: 'fees-ok', open: true, by: SYSTEM, why: 'fees normal (test fixture)' });

    const tokenStore = new TokenStore();
    const tokens = {} as Record<Role, string>;
    for (const role of ['admin', 'operator', 'observer'] as const) tokens[role] = tokenStore.issue(role, role).token;
    const tokenFile = join(dataDir, 'tokens.json');
    await saveTokenFile(tokenFile, tokenStore);

    // Without a build, point at an empty directory so the result never depends on a stale ui/dist.
    const uiDir = options.buildUi ? (await buildUi()).dir : await mkdtemp(join(tmpdir(), 'mandate-no-ui-'));
    cleanups.push(() => rm(uiDir, { recursive: true, force: true }));
    // The RBAC matrix and the fuzzer send many unknown tokens from one address on a clock that
    // does not move, so the default lockout (10 in a burst) would end them early; tests of the
    // throttle pass their own settings.
    const authThrottle = options.authThrottle ?? { burst: 100_000 };
    const app = await createGateway({
      runtime,
      tokens: tokenStore,
      tokenFile,
      uiDir,
      clock: () => clock.now(),
      authThrottle,
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());

    const invoiceTask = (invoiceId: string) => {
      const index = sim.invoices.findIndex((i) => i.id === invoiceId);
      if (index < 0) throw new Error(`No invoice ${invoiceId} in the example`);
      // Earlier invoices count as paid; this one is due again (as if the bank had returned it).
      for (const inv of sim.invoices.slice(0, index)) sim.settled.add(inv.id);
      sim.settled.delete(invoiceId);
      return { capability: 'payments.send', input: { invoice: invoiceId } };
    };
    const idle = async (agentId: string): Promise<void> => {
      for (let waited = 0; runtime.getAgent(agentId)?.state !== 'idle'; waited += 5) {
        if (waited > 5000) throw new Error(`${agentId} is still ${runtime.getAgent(agentId)?.state} after 5 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const holder = (capability: string): string => {
      const id = runtime.capabilities().find((c) => c.name === capability)?.agents[0];
      if (id === undefined) throw new Error(`No agent holds ${capability}`);
      return id;
    };
    const capabilityOf = (agentId: string): string => {
      const cap = runtime.getAgent(agentId)?.capabilities[0];
      if (cap === undefined) throw new Error(`No agent ${agentId}`);
      return cap;
    };

    return {
      url,
      app,
      tokens,
      tokenFile,
      runtime,
      store,
      sim,
      clock,
      idle,
      async submit(task) {
        await idle(holder(task.capability));
        return runtime.submitTask(task.capability, task.input, SYSTEM);
      },
      async drive(cycles, agentId = 'fx-rebalancer') {
        for (let i = 0; i < cycles; i++) {
          await idle(agentId);
          await runtime.submitTask(capabilityOf(agentId), { drive: i }, SYSTEM);
        }
      },
      invoiceTask,
      allowedTask: () => {
        const next = sim.invoices.find(
          (i) =>
            !sim.settled.has(i.id) &&
            Number(i.amount) <= 10_000 &&
            i.counterparty !== 'cp-sanctioned-01' &&
            i.currency === 'USDC',
        );
        if (next === undefined) throw new Error('No small invoice left to pay');
        return invoiceTask(next.id);
      },
      deniedTask: () => invoiceTask('INV-1004'),
      async pendingApproval() {
        const { capability, input } = invoiceTask('INV-1003');
        const opened = new Promise<string>((resolve) => {
          const off = runtime.subscribe((e) => {
            if (e.type === 'approval' && e.approval.status === 'pending') {
              off();
              resolve(e.approval.id);
            }
          });
        });
        await idle(holder(capability));
        const task = runtime.submitTask(capability, input, SYSTEM);
        const approvalId = await Promise.race([
          opened,
          task.then((r) => Promise.reject(new Error(`The task ended without an approval: ${JSON.stringify(r)}`))),
        ]);
        // The approval is published while the agent is still proposing; a decision sent before it
        // waits is lost (reported to the runtime core), so hand it out only once the agent waits.
        for (let waited = 0; runtime.getAgent('payables')?.state !== 'awaitingApproval'; waited += 5) {
          if (waited > 5000)
            throw new Error(`payables never reached awaitingApproval (is ${runtime.getAgent('payables')?.state})`);
          await new Promise((r) => setTimeout(r, 5));
        }
        return { approvalId, task };
      },
      rejectApproval: (approvalId) => runtime.reject(approvalId, SYSTEM, 'test cleanup'),
      releaseKillSwitch: () => runtime.releaseKillSwitch({ all: true }, SYSTEM, 'test reset'),
      async close() {
        for (const fn of cleanups.reverse()) await fn().catch(() => {});
      },
    };
  } catch (err) {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
    throw err;
  }
}
