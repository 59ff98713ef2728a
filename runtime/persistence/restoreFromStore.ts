import type { RuntimeServices } from '../composeRuntime.ts';
import { restoreReputation } from '../reputation/restoreReputation.ts';
import type { RuntimeStore } from './RuntimeStore.ts';

/**
 * What a starting runtime takes back from its store: the kept alerts, the kill switch, every agent's
 * identity seed and snapshot (unless placement resumes them one by one as it takes their leases),
 * the open approvals (a closed one is looked up by id when its decision is proposed again or its
 * agent waits for it), every agent's reputation (the newest change in its history) and what the
 * stages remember (the zero-trust baselines).
 */
export async function restoreFromStore(s: RuntimeServices, store: RuntimeStore): Promise<void> {
  await store.open();
  await s.alertBook.load();
  if (store.reputation !== undefined)
    await restoreReputation({
      store: store.reputation,
      reputation: s.reputation,
      alert: (a) => void s.alerts.raise(a),
    });
  for (const stage of s.pipeline.stages) await stage.restore?.();
  const ks = await store.loadKillSwitch();
  if (ks !== undefined) s.killSwitch.restore(ks);
  const seeds = new Map(
    (await store.listAgents()).map(
      (row) => [row.id, new Uint8Array(Buffer.from(row.identitySeed, 'base64url'))] as const,
    ),
  );
  if (s.options.placement === undefined) s.tree.restore(seeds, await store.loadSnapshots());
  await s.approvals.load();
}
