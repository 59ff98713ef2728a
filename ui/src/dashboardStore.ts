/**
 * The dashboard's client state in one @xstate/store: what the gateway told us,
 * merged with the live stream. Views read snapshots and render; they never
 * mutate state except through these events.
 */
import { createStore } from '@xstate/store';
import type { Route } from './router.ts';
import type {
  AgentDetail,
  AgentReputationReport,
  AgentSummary,
  AlertEvent,
  ApprovalRecord,
  AuditEntry,
  InspectionEvent,
  KillSwitchState,
  Me,
  RuntimeMetrics,
  TransitionEvent,
  TreeNode,
} from './types.ts';

/** Which panel is shown. */
export type View = Route['view'];

/** Whether the gateway answered lately: the page says so when it did not, instead of showing old data as current. */
export interface GatewayReach {
  ok: boolean;
  /** When it stopped answering (null while it answers). */
  since: number | null;
  /** When it last answered. */
  lastOk: number | null;
  error: string | null;
}

/** The selected agent's trust: its reputation report and its newest zero-trust verdict, or why it could not be read. */
export type AgentTrust =
  { reputation: AgentReputationReport; zeroTrust: { reason: string; decisionId: string } | null } | { error: string };

/** Everything the dashboard shows. */
export interface DashboardContext {
  me: Me | null;
  view: View;
  /** The view and what it shows, as in the URL. */
  route: Route;
  gateway: GatewayReach;
  agents: AgentSummary[];
  tree: TreeNode | null;
  selected: string | null;
  detail: AgentDetail | null;
  /** The selected agent's audit entries (who did what to it, and why), newest first. */
  detailAudit: AuditEntry[];
  /** The selected agent's trust (null until loaded). */
  detailTrust: AgentTrust | null;
  approvals: ApprovalRecord[];
  killSwitch: KillSwitchState | null;
  metrics: (RuntimeMetrics & { liveClients: number }) | null;
  /** GET /ready: whether the database and transport answer. */
  ready: { ok: boolean; checks: Record<string, { ok: boolean; error?: string }> } | null;
  /** Latest transitions across all actors, newest first. */
  feed: TransitionEvent[];
  alerts: AlertEvent[];
  connection: 'connecting' | 'open' | 'closed';
  notice: { kind: 'error' | 'info'; text: string } | null;
}

const FEED_MAX = 200;

function setTreeState(node: TreeNode, id: string, state: string): TreeNode {
  if (node.id === id) return { ...node, state };
  let changed = false;
  const children = node.children.map((c) => {
    const next = setTreeState(c, id, state);
    if (next !== c) changed = true;
    return next;
  });
  return changed ? { ...node, children } : node;
}

function applyEvent(ctx: DashboardContext, event: InspectionEvent): DashboardContext {
  switch (event.type) {
    case 'transition': {
      const agents = ctx.agents.map((a) =>
        a.id === event.actorId
          ? { ...a, state: event.to, cycle: typeof event.summary.cycle === 'number' ? event.summary.cycle : a.cycle }
          : a,
      );
      const detail =
        ctx.detail !== null && ctx.detail.id === event.actorId
          ? {
              ...ctx.detail,
              state: event.to,
              cycle: typeof event.summary.cycle === 'number' ? event.summary.cycle : ctx.detail.cycle,
              recent: [...ctx.detail.recent, event].slice(-100),
            }
          : ctx.detail;
      return {
        ...ctx,
        agents,
        detail,
        tree: ctx.tree === null ? null : setTreeState(ctx.tree, event.actorId, event.to),
        feed: [event, ...ctx.feed].slice(0, FEED_MAX),
      };
    }
    case 'approval': {
      const others = ctx.approvals.filter((a) => a.id !== event.approval.id);
      return { ...ctx, approvals: [event.approval, ...others].sort((a, b) => b.requestedAt - a.requestedAt) };
    }
    case 'alert':
      return { ...ctx, alerts: [event, ...ctx.alerts].slice(0, 50) };
  }
}

/**
 * Merges a fetched approvals list into the one the live stream kept: a fetch answered before an
 * approval was opened (or decided) must not drop the newer record the stream already delivered.
 * Per id, a decided record wins over a pending one; otherwise the fetched one.
 */
function mergeApprovals(current: ApprovalRecord[], fetched: ApprovalRecord[]): ApprovalRecord[] {
  const byId = new Map(current.map((a) => [a.id, a]));
  for (const a of fetched) {
    const kept = byId.get(a.id);
    if (kept === undefined || kept.status === 'pending' || a.status !== 'pending') byId.set(a.id, a);
  }
  return [...byId.values()].sort((a, b) => b.requestedAt - a.requestedAt);
}

/** Creates the store (one per page). */
export function createDashboardStore() {
  return createStore({
    context: {
      me: null,
      view: 'agents',
      route: { view: 'agents', agent: null },
      gateway: { ok: true, since: null, lastOk: null, error: null },
      agents: [],
      tree: null,
      selected: null,
      detail: null,
      detailAudit: [],
      detailTrust: null,
      approvals: [],
      killSwitch: null,
      metrics: null,
      ready: null,
      feed: [],
      alerts: [],
      connection: 'connecting',
      notice: null,
    } as DashboardContext,
    on: {
      signedIn: (ctx, e: { me: Me }) => ({ ...ctx, me: e.me }),
      routed: (ctx, e: { route: Route }) => {
        const next = { ...ctx, route: e.route, view: e.route.view };
        if (e.route.view !== 'agents' || e.route.agent === ctx.selected) return next;
        const id = e.route.agent;
        return {
          ...next,
          selected: id,
          detail: id === ctx.detail?.id ? ctx.detail : null,
          detailAudit: id === ctx.detail?.id ? ctx.detailAudit : [],
          detailTrust: id === ctx.detail?.id ? ctx.detailTrust : null,
        };
      },
      reached: (ctx, e: { at: number }) =>
        ctx.gateway.ok && ctx.gateway.lastOk !== null && e.at - ctx.gateway.lastOk < 1000
          ? ctx
          : { ...ctx, gateway: { ok: true, since: null, lastOk: e.at, error: null } },
      unreachable: (ctx, e: { at: number; error: string }) =>
        ctx.gateway.ok
          ? { ...ctx, gateway: { ok: false, since: e.at, lastOk: ctx.gateway.lastOk, error: e.error } }
          : ctx,
      loaded: (
        ctx,
        e: {
          agents?: AgentSummary[];
          tree?: TreeNode;
          approvals?: ApprovalRecord[];
          killSwitch?: KillSwitchState;
          metrics?: DashboardContext['metrics'];
          ready?: DashboardContext['ready'];
        },
      ) => ({
        ...ctx,
        ...(e.agents ? { agents: e.agents } : {}),
        ...(e.tree ? { tree: e.tree } : {}),
        ...(e.approvals ? { approvals: mergeApprovals(ctx.approvals, e.approvals) } : {}),
        ...(e.killSwitch ? { killSwitch: e.killSwitch } : {}),
        ...(e.metrics ? { metrics: e.metrics } : {}),
        ...(e.ready ? { ready: e.ready } : {}),
      }),
      detailAuditLoaded: (ctx, e: { id: string; entries: AuditEntry[] }) =>
        e.id === ctx.selected ? { ...ctx, detailAudit: e.entries } : ctx,
      detailTrustLoaded: (ctx, e: { id: string; trust: AgentTrust }) =>
        e.id === ctx.selected ? { ...ctx, detailTrust: e.trust } : ctx,
      detailLoaded: (ctx, e: { detail: AgentDetail }) =>
        e.detail.id === ctx.selected ? { ...ctx, detail: e.detail } : ctx,
      live: (ctx, e: { event: InspectionEvent }) => applyEvent(ctx, e.event),
      connection: (ctx, e: { state: DashboardContext['connection'] }) => ({ ...ctx, connection: e.state }),
      notify: (ctx, e: { notice: DashboardContext['notice'] }) => ({ ...ctx, notice: e.notice }),
    },
  });
}

/** The store type. */
export type DashboardStore = ReturnType<typeof createDashboardStore>;
