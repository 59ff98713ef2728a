/**
 * The operator dashboard. Plain TypeScript and DOM over one @xstate/store:
 * a money-moving console gains nothing from a framework's size and churn, and
 * every rendered string goes through textContent (no HTML injection).
 */
import './styles.css';
import { ApiError, createApi, type Api } from './api.ts';
import { createDashboardStore, type DashboardContext, type View } from './dashboardStore.ts';
import { h, replace } from './dom.ts';
import { killSwitchControls } from './killSwitch.ts';
import { connectLive } from './live.ts';
import { mountAgentsView } from './views/agentsView.ts';
import { mountApprovalsView } from './views/approvalsView.ts';
import { mountAuditView } from './views/auditView.ts';
import { mountMonitorView } from './views/monitorView.ts';

const TOKEN_KEY = 'mandate.token';
const app = document.getElementById('app') as HTMLElement;

function login(message?: string): void {
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    'data-testid': 'token-input',
    placeholder: 'mdt_…',
  });
  const form = h(
    'form',
    { class: 'login', 'data-testid': 'login' },
    h('h1', {}, 'Mandate'),
    h('p', {}, 'Paste your operator token. It stays in this tab only.'),
    message ? h('p', { class: 'error', 'data-testid': 'login-error' }, message) : null,
    input,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    void start();
  });
  replace(app, form);
  input.focus();
}

async function start(): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return login();
  const api = createApi(token);
  let me;
  try {
    me = await api.me();
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    return login(err instanceof ApiError ? `${err.code}: ${err.message}` : 'The gateway is unreachable.');
  }
  const store = createDashboardStore();
  store.trigger.signedIn({ me });
  shell(store, api, token);
}

function shell(store: ReturnType<typeof createDashboardStore>, api: Api, token: string): void {
  const header = h('header', { class: 'top' });
  const nav = h('nav', { class: 'tabs' });
  const notice = h('div', { class: 'notice', 'data-testid': 'notice', role: 'status' });
  const main = h('main', {});
  replace(app, header, nav, notice, main);

  const mounts: Record<View, typeof mountAgentsView> = {
    agents: mountAgentsView,
    approvals: mountApprovalsView,
    audit: mountAuditView,
    monitor: mountMonitorView,
  };
  let mountedView: View | undefined;
  let update: (ctx: DashboardContext) => void = () => {};

  const reload = async (): Promise<void> => {
    const [agents, tree, approvals, killSwitch, metrics, ready] = await Promise.all([
      api.agents(),
      api.tree(),
      api.approvals(),
      api.killSwitch(),
      api.metrics(),
      api.ready(),
    ]);
    store.trigger.loaded({ agents, tree, approvals, killSwitch, metrics, ready });
    const selected = store.getSnapshot().context.selected;
    if (selected !== null) store.trigger.detailLoaded({ detail: await api.agent(selected) });
  };

  let scheduled = false;
  const render = (): void => {
    scheduled = false;
    const ctx = store.getSnapshot().context;
    const me = ctx.me;
    replace(
      header,
      h('h1', {}, 'Mandate'),
      h('span', { class: `badge mode-${me?.mode}`, 'data-testid': 'mode' }, me?.mode ?? ''),
      h('span', { class: `badge conn-${ctx.connection}`, 'data-testid': 'connection' }, `live: ${ctx.connection}`),
      killSwitchControls(ctx, store, api),
      h('span', { class: 'whoami', 'data-testid': 'whoami' }, `${me?.name} (${me?.role})`),
      h(
        'button',
        { 'data-testid': 'logout', onclick: () => (sessionStorage.removeItem(TOKEN_KEY), location.reload()) },
        'Sign out',
      ),
    );
    const pending = ctx.approvals.filter((a) => a.status === 'pending').length;
    replace(
      nav,
      ...(['agents', 'approvals', 'audit', 'monitor'] as const).map((v) =>
        h(
          'button',
          {
            class: v === ctx.view ? 'tab active' : 'tab',
            'data-testid': `tab-${v}`,
            onclick: () => store.trigger.show({ view: v }),
          },
          v === 'approvals' && pending > 0 ? `approvals (${pending})` : v,
        ),
      ),
    );
    if (ctx.notice)
      replace(
        notice,
        h('span', { class: ctx.notice.kind, 'data-testid': `notice-${ctx.notice.kind}` }, ctx.notice.text),
        h('button', { class: 'link', onclick: () => store.trigger.notify({ notice: null }) }, '×'),
      );
    else replace(notice);
    if (mountedView !== ctx.view) {
      mountedView = ctx.view;
      update = mounts[ctx.view](main, store, api);
    }
    update(ctx);
  };
  // The selected agent's context is not in the transition summary: refetch it shortly after it moves.
  let detailTimer: ReturnType<typeof setTimeout> | undefined;
  let lastSeq = 0;
  store.subscribe((snapshot) => {
    const { feed, selected } = snapshot.context;
    const head = feed[0];
    if (head === undefined || head.seq === lastSeq) return;
    lastSeq = head.seq;
    if (selected === null || head.actorId !== selected || detailTimer !== undefined) return;
    detailTimer = setTimeout(() => {
      detailTimer = undefined;
      void api.agent(selected).then(
        (detail) => store.trigger.detailLoaded({ detail }),
        () => {},
      );
      void api.audit({ agent: selected }, 50).then(
        (page) => store.trigger.detailAuditLoaded({ id: selected, entries: page.entries }),
        () => {},
      );
    }, 250);
  });
  // Live events can arrive in bursts; render at most once per frame.
  store.subscribe(() => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(render);
    }
  });
  render();

  connectLive(token, {
    event: (event) => store.trigger.live({ event }),
    state: (state) => store.trigger.connection({ state }),
    resync: () =>
      void reload().catch((err: Error) => store.trigger.notify({ notice: { kind: 'error', text: err.message } })),
  });
  setInterval(() => {
    void Promise.all([api.metrics(), api.killSwitch(), api.ready()]).then(
      ([metrics, killSwitch, ready]) => store.trigger.loaded({ metrics, killSwitch, ready }),
      () => {},
    );
  }, 3000);
}

void start();
