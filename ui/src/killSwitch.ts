/**
 * The kill switch control: engage (all or scoped) after confirmation; release for admins.
 */
import type { Api } from './api.ts';
import type { DashboardContext, DashboardStore } from './dashboardStore.ts';
import { h } from './dom.ts';
import { askReason } from './modal.ts';
import { runAction } from './views/runAction.ts';

/** The header's kill switch buttons for the current role and state. */
export function killSwitchControls(ctx: DashboardContext, store: DashboardStore, api: Api): HTMLElement {
  const can = (p: string): boolean => ctx.me?.permissions.includes(p) ?? false;
  const state = ctx.killSwitch;
  const engaged =
    state !== null && (state.all || state.agents.length + state.groups.length + state.capabilities.length > 0);
  const refresh = async (): Promise<void> => {
    const [killSwitch, agents, tree] = await Promise.all([api.killSwitch(), api.agents(), api.tree()]);
    store.trigger.loaded({ killSwitch, agents, tree });
  };

  const engage = async (): Promise<void> => {
    const capabilities = [...new Set(ctx.agents.flatMap((a) => a.capabilities))].sort();
    const groups = [...new Set(ctx.agents.map((a) => a.group))].sort();
    const scopeSelect = h(
      'select',
      { name: 'scope', 'data-testid': 'kill-scope' },
      h('option', { value: 'all' }, 'every agent'),
      ...(ctx.selected ? [h('option', { value: `agent:${ctx.selected}` }, `only agent ${ctx.selected}`)] : []),
      ...capabilities.map((c) => h('option', { value: `capability:${c}` }, `agents with capability ${c}`)),
      ...groups.map((g) => h('option', { value: `group:${g}` }, `agents in group ${g}`)),
    );
    const body = h(
      'div',
      {},
      h(
        'p',
        { class: 'warning' },
        'Engaging the kill switch stops every agent in scope from signing or paying until an admin releases it. It survives restarts.',
      ),
      h('label', {}, 'Scope ', scopeSelect),
    );
    const reason = await askReason({
      title: 'Engage the kill switch?',
      confirmLabel: 'Engage kill switch',
      required: true,
      danger: true,
      body,
    });
    if (reason === null) return;
    const [kind, name = ''] = scopeSelect.value.split(/:(.*)/s);
    const scope =
      kind === 'agent'
        ? { agents: [name] }
        : kind === 'capability'
          ? { capabilities: [name] }
          : kind === 'group'
            ? { groups: [name] }
            : { all: true };
    await runAction(store, 'kill switch', async () => {
      await api.setKillSwitch('engage', scope, reason);
      await refresh();
    });
  };

  const release = async (): Promise<void> => {
    const reason = await askReason({
      title: 'Release the kill switch (everything)?',
      confirmLabel: 'Release',
      required: true,
    });
    if (reason === null || state === null) return;
    await runAction(store, 'kill switch release', async () => {
      await api.setKillSwitch(
        'release',
        { all: true, agents: state.agents, groups: state.groups, capabilities: state.capabilities },
        reason,
      );
      await refresh();
    });
  };

  return h(
    'div',
    { class: 'killswitch', 'data-testid': 'killswitch', 'data-engaged': String(engaged) },
    engaged
      ? h(
          'span',
          { class: 'badge killed', 'data-testid': 'killswitch-engaged' },
          state?.all ? 'KILL SWITCH ENGAGED' : 'kill switch: scoped',
        )
      : null,
    can('killswitch.engage')
      ? h('button', { class: 'danger', 'data-testid': 'kill-engage', onclick: () => void engage() }, 'Kill switch')
      : null,
    engaged && can('killswitch.release')
      ? h('button', { 'data-testid': 'kill-release', onclick: () => void release() }, 'Release')
      : null,
  );
}
