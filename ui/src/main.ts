/**
 * The operator dashboard. Plain TypeScript and DOM over one @xstate/store:
 * a money-moving console gains nothing from a framework's size and churn, and
 * every rendered string goes through textContent (no HTML injection).
 */
import './styles.css';
import { ApiError, createApi, type Api } from './api.ts';
import { killSwitchBanner, killSwitchEngaged, staleBanner } from './banners.ts';
import { createDashboardStore, type DashboardContext, type DashboardStore } from './dashboardStore.ts';
import { h, replace } from './dom.ts';
import { connectLive } from './live.ts';
import { parseRoute } from './router.ts';
import { loadAgent } from './loadAgent.ts';
import { loadTrust } from './loadTrust.ts';
import { mountKey, mountView, renderHeader, renderTabs, watchGateway } from './shell.ts';
import type { AuditEntry } from './types.ts';

const TOKEN_KEY = 'mandate.token';
/** Least time between two reloads of the selected agent's trust while it moves (reputation moves once a cycle). */
const TRUST_MS = 2000;
/** How long an info notice stays (errors stay until dismissed). */
const NOTICE_MS = 6000;
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

function shell(store: DashboardStore, api: Api, token: string): void {
  const header = h('header', { class: 'top' });
  const banners = h('div', { class: 'banners' });
  const nav = h('nav', { class: 'tabs' });
  const notice = h('div', { class: 'notice', 'data-testid': 'notice', role: 'status' });
  const main = h('main', {});
  replace(app, header, banners, nav, notice, main);

  const reach = watchGateway(store, api);
  let mountedKey: string | undefined;
  let update: (ctx: DashboardContext) => void = () => {};
  let engagedBy: AuditEntry | null = null;

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
    if (selected !== null) {
      loadAgent({ store, api, id: selected, quiet: true });
      loadTrust({ store, api, id: selected });
    }
  };

  let scheduled = false;
  const render = (): void => {
    scheduled = false;
    const ctx = store.getSnapshot().context;
    renderHeader(header, { ctx, store, api, rerender: () => ((mountedKey = undefined), render()) });
    replace(banners, staleBanner(ctx), killSwitchBanner(ctx, engagedBy));
    app.classList.toggle('stale', !ctx.gateway.ok);
    renderTabs(nav, ctx);
    if (ctx.notice)
      replace(
        notice,
        h('span', { class: ctx.notice.kind, 'data-testid': `notice-${ctx.notice.kind}` }, ctx.notice.text),
        h('button', { class: 'link always', onclick: () => store.trigger.notify({ notice: null }) }, '×'),
      );
    else replace(notice);
    const key = mountKey(ctx.route);
    if (mountedKey !== key) {
      mountedKey = key;
      update = mountView(ctx.route, { root: main, store, api });
    }
    update(ctx);
  };

  // The URL says what is shown: follow it now and whenever it changes (links, Back, a pasted link).
  const follow = (): void => {
    const route = parseRoute(location.hash);
    const before = store.getSnapshot().context.selected;
    store.trigger.routed({ route });
    if (route.view === 'agents' && route.agent !== null && route.agent !== before) {
      loadAgent({ store, api, id: route.agent });
      loadTrust({ store, api, id: route.agent });
    }
  };
  window.addEventListener('hashchange', follow);
  follow();

  // Who engaged the kill switch, when and why: the newest engage entry, read when the state changes.
  let killKey = '';
  // An info notice clears itself; an error stays until dismissed.
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  let lastNotice: DashboardContext['notice'] = null;
  store.subscribe((snapshot) => {
    const ctx = snapshot.context;
    if (ctx.notice !== lastNotice) {
      lastNotice = ctx.notice;
      clearTimeout(noticeTimer);
      const shown = ctx.notice;
      if (shown?.kind === 'info')
        noticeTimer = setTimeout(() => {
          if (store.getSnapshot().context.notice === shown) store.trigger.notify({ notice: null });
        }, NOTICE_MS);
    }
    const k = ctx.killSwitch;
    const next = k === null ? '' : JSON.stringify(k);
    if (next === killKey) return;
    killKey = next;
    engagedBy = null;
    if (killSwitchEngaged(ctx))
      void api.audit({ action: 'operator.killswitch.engage' }, 1).then(
        (page) => {
          engagedBy = page.entries[0] ?? null;
          render();
        },
        () => {},
      );
  });
  // The selected agent's context is not in the transition summary: refetch it shortly after it moves.
  // Its trust (reputation, stake, threat) moves once a cycle: reload it at most every TRUST_MS.
  let detailTimer: ReturnType<typeof setTimeout> | undefined;
  let trustTimer: ReturnType<typeof setTimeout> | undefined;
  let lastSeq = 0;
  store.subscribe((snapshot) => {
    const { feed, selected } = snapshot.context;
    const head = feed[0];
    if (head === undefined || head.seq === lastSeq) return;
    lastSeq = head.seq;
    if (selected === null || head.actorId !== selected) return;
    trustTimer ??= setTimeout(() => {
      trustTimer = undefined;
      const now = store.getSnapshot().context.selected;
      if (now !== null) loadTrust({ store, api, id: now });
    }, TRUST_MS);
    detailTimer ??= setTimeout(() => {
      detailTimer = undefined;
      loadAgent({ store, api, id: selected, quiet: true });
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
    state: (state) => {
      store.trigger.connection({ state });
      // A closed stream is the first sign of a gateway gone: ask now instead of at the next poll.
      if (state === 'closed') reach();
    },
    resync: () =>
      void reload().catch((err: Error) => store.trigger.notify({ notice: { kind: 'error', text: err.message } })),
  });
}

void start();
