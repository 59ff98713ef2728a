/**
 * Loading the selected agent's trust into the store: its reputation report (dimensions, standing,
 * limit factor, stake) and the zero-trust verdict of its newest decision (views/trustSource.ts).
 */
import type { Api } from './api.ts';
import type { DashboardStore } from './dashboardStore.ts';
import { newestDecision, zeroTrustOf } from './views/trustSource.ts';

/** Loads `id`'s reputation and newest zero-trust verdict; a failure is shown in the trust section, not as a notice. */
export function loadTrust({ store, api, id }: { store: DashboardStore; api: Api; id: string }): void {
  const load = async (): Promise<void> => {
    const [reputation, audit] = await Promise.all([
      api.reputation(id),
      api.audit({ agent: id }, 20).then(
        (page) => page.entries,
        () => [],
      ),
    ]);
    const { detail } = store.getSnapshot().context;
    const decision = newestDecision(detail?.id === id ? detail.recent : [], audit);
    const zeroTrust =
      decision === undefined
        ? null
        : await api.payment(decision).then(
            (story) => zeroTrustOf(story),
            () => null,
          );
    store.trigger.detailTrustLoaded({ id, trust: { reputation, zeroTrust } });
  };
  void load().catch((err: Error) => store.trigger.detailTrustLoaded({ id, trust: { error: err.message } }));
}
