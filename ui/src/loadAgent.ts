/**
 * Loading one agent into the store: its detail and its audit entries.
 */
import type { Api } from './api.ts';
import type { DashboardStore } from './dashboardStore.ts';

/** Loads an agent's detail and its audit entries (who did what to it, and why) into the store. */
export function loadAgent({
  store,
  api,
  id,
  quiet = false,
}: {
  store: DashboardStore;
  api: Api;
  id: string;
  quiet?: boolean;
}): void {
  void api.agent(id).then(
    (detail) => store.trigger.detailLoaded({ detail }),
    (err: Error) => {
      if (!quiet) store.trigger.notify({ notice: { kind: 'error', text: err.message } });
    },
  );
  // Without an audit store the timeline shows transitions only.
  void api.audit({ agent: id }, 50).then(
    (page) => store.trigger.detailAuditLoaded({ id, entries: page.entries }),
    () => {},
  );
}
