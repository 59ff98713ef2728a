/**
 * The supervision tree (live) and the selected agent: controls, statechart,
 * context and timeline.
 */
import type { Api } from '../api.ts';
import type { DashboardContext, DashboardStore } from '../dashboardStore.ts';
import { fire, h, replace, time } from '../dom.ts';
import { askReason } from '../modal.ts';
import { navigate, paymentHref } from '../router.ts';
import { loadAgent } from '../loadAgent.ts';
import { statechartView } from '../statechart.ts';
import { zoneLabel } from '../timeZone.ts';
import type { AgentDetail, AgentSummary, TreeNode } from '../types.ts';
import { paymentSubject } from './paymentSubject.ts';
import { runAction } from './runAction.ts';
import { trustPanel } from './trustPanel.ts';

/** Most rows the timeline shows (the audit tab has the rest). */
const TIMELINE_MAX = 60;

/** Mounts the agents panel into `root`; returns its update function. */
export function mountAgentsView(root: HTMLElement, store: DashboardStore, api: Api): (ctx: DashboardContext) => void {
  const treePane = h('section', { class: 'pane tree-pane', 'data-testid': 'tree' });
  const detailPane = h('section', { class: 'pane detail-pane', 'data-testid': 'agent-detail' });
  replace(root, h('div', { class: 'split' }, treePane, detailPane));

  // Selecting is navigating: the URL names the agent, and the shell loads it.
  const select = (id: string): void => navigate({ view: 'agents', agent: id });

  const treeNode = (node: TreeNode, agents: Map<string, AgentSummary>, selected: string | null): HTMLElement => {
    const agent = agents.get(node.id);
    const badge = h(
      'span',
      { class: `badge state-${node.state.split('.').pop() ?? ''}`, 'data-testid': `state-${node.id}` },
      node.state,
    );
    const flags = agent
      ? [
          agent.killed ? h('span', { class: 'badge killed' }, 'killed') : null,
          agent.paused ? h('span', { class: 'badge paused' }, 'paused') : null,
        ]
      : [];
    const label =
      node.kind === 'agent'
        ? h(
            'button',
            {
              class: `link${selected === node.id ? ' selected' : ''}`,
              'data-testid': `agent-${node.id}`,
              onclick: () => select(node.id),
            },
            node.id,
          )
        : h(
            'strong',
            { title: `${node.role ?? ''} supervisor` },
            node.id,
            h('span', { class: 'muted' }, ` (${node.role ?? 'supervisor'})`),
          );
    return h(
      'li',
      { class: node.kind, 'data-node': node.id },
      label,
      ' ',
      badge,
      ...flags,
      node.children.length > 0 ? h('ul', {}, ...node.children.map((c) => treeNode(c, agents, selected))) : null,
    );
  };

  const controls = (agent: AgentDetail, ctx: DashboardContext): HTMLElement => {
    const can = (p: string): boolean => ctx.me?.permissions.includes(p) ?? false;
    const act = (verb: 'pause' | 'resume' | 'stop') => async (): Promise<void> => {
      const reason = await askReason({
        title: verb === 'stop' ? `Stop ${agent.id} for good?` : `${verb[0]?.toUpperCase()}${verb.slice(1)} ${agent.id}`,
        confirmLabel: verb === 'stop' ? 'Stop permanently' : verb,
        required: true,
        danger: verb === 'stop',
        ...(verb === 'stop'
          ? {
              typeToConfirm: agent.id,
              body: h(
                'p',
                { class: 'warning', 'data-testid': 'stop-warning' },
                'Stop is permanent: the agent is removed from its supervisor and does not restart. Pause instead to hold it.',
              ),
            }
          : {}),
      });
      if (reason === null) return;
      await runAction(store, `${verb} ${agent.id}`, async () => {
        await api.override(agent.id, verb, reason);
        store.trigger.loaded({ agents: await api.agents(), tree: await api.tree() });
        loadAgent({ store, api, id: agent.id });
      });
    };
    return h(
      'div',
      { class: 'controls' },
      can('agent.pause') && !agent.paused && !agent.killed
        ? h('button', { 'data-testid': 'pause', onclick: fire(act('pause')) }, 'Pause')
        : null,
      can('agent.resume') && agent.paused && !agent.killed
        ? h('button', { 'data-testid': 'resume', onclick: fire(act('resume')) }, 'Resume')
        : null,
      can('agent.stop') && !agent.killed
        ? h(
            'button',
            {
              class: 'danger',
              'data-testid': 'stop',
              title: 'permanent: the agent does not restart',
              onclick: fire(act('stop')),
            },
            'Stop permanently…',
          )
        : null,
    );
  };

  /** Transitions (what the machine did) merged with audit entries (who did what to it, where, why), newest first. */
  const timeline = (agent: AgentDetail, ctx: DashboardContext): HTMLElement => {
    // Newest first; within one millisecond each source keeps its own order (`order` counts up in time).
    const rows = [
      ...agent.recent.map((t, i) => ({
        at: t.at,
        order: i,
        kind: 'transition',
        who: `agent:${agent.id}`,
        what: `${t.from} → ${t.to}`,
        event: t.event,
        where: t.parentId ?? '',
        why: JSON.stringify(t.summary),
        payment:
          typeof t.summary.action === 'string' && typeof t.summary.decisionId === 'string'
            ? t.summary.decisionId
            : undefined,
      })),
      ...ctx.detailAudit.map((e, i) => ({
        at: e.at,
        order: ctx.detailAudit.length - i,
        kind: 'audit',
        who: e.who.id === agent.did ? `agent:${agent.id}` : `${e.who.kind}:${e.who.id}`,
        what: e.action,
        event: e.subject,
        where: e.where,
        why: e.why,
        payment: paymentSubject(e),
      })),
    ]
      .sort((a, b) => b.at - a.at || b.order - a.order)
      .slice(0, TIMELINE_MAX);
    return h(
      'table',
      { class: 'timeline', 'data-testid': 'timeline' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[`when (${zoneLabel()})`, 'who', 'what', 'event / subject', 'where', 'why / details', 'payment'].map((c) =>
            h('th', {}, c),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            { class: r.kind, 'data-kind': r.kind },
            h('td', {}, time(r.at)),
            h('td', {}, r.who),
            h('td', {}, r.what),
            h('td', {}, r.event),
            h('td', {}, r.where),
            h('td', { class: r.kind === 'transition' ? 'mono' : '' }, r.why),
            h(
              'td',
              {},
              r.payment === undefined
                ? null
                : h('a', { href: paymentHref(r.payment), 'data-testid': 'timeline-payment' }, 'story'),
            ),
          ),
        ),
      ),
    );
  };

  const detailView = (agent: AgentDetail, ctx: DashboardContext): HTMLElement[] => [
    h('h2', {}, agent.id, ' ', h('span', { class: 'badge', 'data-testid': 'detail-state' }, agent.state)),
    h(
      'dl',
      { class: 'facts' },
      ...[
        ['did', agent.did],
        ['capabilities', agent.capabilities.join(', ')],
        ['supervisor', agent.parentId],
        ['group', agent.group],
        ['reputation', agent.reputation.toFixed(2)],
        ['mode', agent.mode],
        ['cycle', String(agent.cycle)],
        ['status', agent.killed ? 'killed' : agent.paused ? 'paused' : 'running'],
      ].flatMap(([k, v]) => [h('dt', {}, k ?? ''), h('dd', {}, v ?? '')]),
    ),
    controls(agent, ctx),
    trustPanel(agent, ctx.detailTrust),
    h('h3', {}, 'Statechart'),
    statechartView(agent.machine, agent.state),
    h('h3', {}, 'Context'),
    h('pre', { class: 'context', 'data-testid': 'context' }, JSON.stringify(agent.context, null, 2)),
    h('h3', {}, 'Timeline'),
    timeline(agent, ctx),
  ];

  return (ctx) => {
    const agents = new Map(ctx.agents.map((a) => [a.id, a]));
    replace(
      treePane,
      h(
        'h2',
        {},
        'Supervision tree',
        ctx.gateway.ok
          ? null
          : h(
              'span',
              { class: 'badge stale', 'data-testid': 'tree-stale' },
              ` stale: as of ${ctx.gateway.lastOk === null ? 'unknown' : time(ctx.gateway.lastOk)}`,
            ),
      ),
      ctx.tree === null
        ? h('p', { class: 'muted' }, 'Loading…')
        : h('ul', { class: 'tree' }, treeNode(ctx.tree, agents, ctx.selected)),
    );
    if (ctx.detail !== null) replace(detailPane, ...detailView(ctx.detail, ctx));
    else
      replace(
        detailPane,
        h(
          'p',
          { class: 'muted' },
          ctx.selected === null ? 'Select an agent to see its statechart, context and timeline.' : 'Loading…',
        ),
      );
  };
}
