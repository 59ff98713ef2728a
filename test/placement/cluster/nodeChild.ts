/**
 * One runtime node of the cluster test, as its own process: live mode on the shared PostgreSQL
 * (DATABASE_URL), placement on the NATS cluster (NATS_URLS, comma-separated), CLUSTER_AGENTS payer
 * agents paying through the shared fenced file bank. Prints `ready`, every agent transition
 * (`t <agent> <state>`) and, every 100 ms, the agents it hosts (`hosted <ids>`). SIGTERM drains.
 */
import { createRuntime } from '../../../runtime/index.ts';
import { openStore } from '../../../runtime/persistence/index.ts';
import { payer } from '../placementSupport.ts';
import { fileBank } from './fileBank.ts';

const env = process.env;
const nodeId = env.MANDATE_NODE_ID!;
const store = await openStore({ env, retry: { attempts: 50, baseDelayMs: 50 } });
const runtime = await createRuntime({
  mode: 'live',
  store,
  nodeId,
  placement: {
    natsUrl: env.NATS_URLS!.split(','),
    ttlMs: Number(env.CLUSTER_TTL_MS ?? 2_000),
    settleMs: Number(env.CLUSTER_TTL_MS ?? 2_000),
    replicas: Number(env.CLUSTER_REPLICAS ?? 3),
    handoverTimeoutMs: 10_000,
  },
});
const bank = fileBank(env.CLUSTER_LEDGER!, nodeId);
for (let i = 0; i < Number(env.CLUSTER_AGENTS ?? 6); i++) await runtime.spawn(payer(`payer-${i}`, bank, 250));
runtime.subscribe((e) => {
  if (e.type === 'transition' && e.actorKind === 'agent') process.stdout.write(`t ${e.actorId} ${e.to}\n`);
});
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
  void runtime.shutdown().then(
    () => (process.stdout.write('drained\n'), process.exit(0)),
    (e: unknown) => (console.error(e), process.exit(1)),
  );
});
