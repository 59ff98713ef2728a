/**
 * One runtime node of the live treasury cluster test, as its own process: the treasury example
 * (examples/treasury, its five agents and its governance) in live mode on the shared PostgreSQL
 * (DATABASE_URL), placed through NATS (NATS_URLS), paying on the shared EVM node (EVM_RPC_URL, the
 * operator from MANDATE_OPERATOR_KEYSTORE; contract addresses in TREASURY_CHAIN_DIR). The market
 * is driven by the test process, not by the nodes. Prints `ready`, every agent transition
 * (`t <agent> <state>`) and, every 100 ms, the agents it hosts (`hosted <ids>`). SIGTERM drains.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GovernancePolicy } from '../../../actors/index.ts';
import { setup } from '../../../examples/treasury/index.ts';
import { openChain } from '../../../runtime/chain/index.ts';
import { createRuntime } from '../../../runtime/index.ts';
import { openStore } from '../../../runtime/persistence/index.ts';

const env = process.env;
const nodeId = env.MANDATE_NODE_ID!;
const ttlMs = Number(env.CLUSTER_TTL_MS ?? 2_000);
const store = await openStore({ env, retry: { attempts: 50, baseDelayMs: 50 } });
const chain = await openChain({ dir: env.TREASURY_CHAIN_DIR!, seed: await store.walletSeed(), env });
const examples = join(import.meta.dirname, '../../../examples/treasury');
const governance = GovernancePolicy.fromYaml(readFileSync(join(examples, 'governance.yaml'), 'utf8'), () => undefined);
const runtime = await createRuntime({
  mode: 'live',
  store,
  chain,
  nodeId,
  governance: governance.config,
  placement: {
    natsUrl: env.NATS_URLS!.split(','),
    ttlMs,
    settleMs: ttlMs,
    replicas: Number(env.CLUSTER_REPLICAS ?? 1),
    handoverTimeoutMs: 10_000,
  },
});
runtime.subscribe((e) => {
  if (e.type === 'transition' && e.actorKind === 'agent') process.stdout.write(`t ${e.actorId} ${e.to}\n`);
});
const system = await setup(runtime, { chain, dataDir: env.MANDATE_DATA_DIR!, market: false });
const report = setInterval(
  () =>
    process.stdout.write(
      `hosted ${runtime
        .listAgents()
        .map((a) => a.id)
        .join(',')}\n`,
    ),
  100,
);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  clearInterval(report);
  void (async () => {
    await runtime.shutdown();
    await system.close();
    await chain.close();
  })().then(
    () => (process.stdout.write('drained\n'), process.exit(0)),
    (e: unknown) => (console.error(e), process.exit(1)),
  );
});
