/**
 * The approvals queue: pending requests with approve / reject, then recent decisions.
 */
import type { Api } from '../api.ts';
import type { DashboardContext, DashboardStore } from '../dashboardStore.ts';
import { fire, h, replace, time } from '../dom.ts';
import { agentHref, paymentHref } from '../router.ts';
import { zoneLabel } from '../timeZone.ts';
import type { ApprovalRecord } from '../types.ts';
import { decideApproval } from './decideApproval.ts';

/** A one-line reading of a proposed action: `payment.send 18500.00 USD → cp-auditor-1`. */
export function describeAction(action: Record<string, unknown>): string {
  const amount = action.amount as { value?: unknown; asset?: unknown } | undefined;
  const parts = [text(action.type ?? 'action')];
  if (amount && amount.value !== undefined) parts.push(`${text(amount.value)} ${text(amount.asset ?? '')}`.trim());
  if (typeof action.counterparty === 'string') parts.push(`→ ${action.counterparty}`);
  if (typeof action.account === 'string') parts.push(`from ${action.account}`);
  return parts.join(' ');
}

/** What became of an approved action: the outcome of the agent's next learn step after the decision, from the live feed. */
function executed(a: ApprovalRecord, ctx: DashboardContext): string | undefined {
  if (a.decidedAt === undefined) return undefined;
  const after = ctx.feed.filter(
    (t) => t.actorId === a.agentId && t.at >= (a.decidedAt ?? 0) && typeof t.summary.outcome === 'string',
  );
  return after.length === 0 ? undefined : String(after[after.length - 1]?.summary.outcome);
}

/** Whether the approved agent is still carrying the action out. */
function busy(a: ApprovalRecord, ctx: DashboardContext): boolean {
  const state = ctx.agents.find((x) => x.id === a.agentId)?.state;
  return state === 'act' || state === 'learn' || state === 'retrying';
}

/** Mounts the approvals panel; returns its update function. */
export function mountApprovalsView(
  root: HTMLElement,
  store: DashboardStore,
  api: Api,
): (ctx: DashboardContext) => void {
  const pane = h('section', { class: 'pane', 'data-testid': 'approvals' });
  replace(root, pane);

  const decide = (approval: ApprovalRecord, verdict: 'approve' | 'reject') => () =>
    decideApproval({ store, api, approval, verdict });

  const row = (a: ApprovalRecord, ctx: DashboardContext): HTMLElement => {
    const can = ctx.me?.permissions.includes('approval.decide') ?? false;
    return h(
      'tr',
      { 'data-testid': `approval-${a.id}`, 'data-status': a.status },
      h('td', {}, time(a.requestedAt)),
      h('td', {}, h('a', { href: agentHref(a.agentId) }, a.agentId)),
      h(
        'td',
        { title: JSON.stringify(a.action, null, 2) },
        h('a', { href: paymentHref(a.decisionId), 'data-testid': `payment-link-${a.id}` }, describeAction(a.action)),
      ),
      h(
        'td',
        {},
        a.kind === 'review' ? h('span', { class: 'badge review', 'data-testid': `review-${a.id}` }, 'review') : null,
        a.kind === 'review' ? ' ' : '',
        a.reason,
      ),
      h(
        'td',
        {},
        h('span', { class: `badge ${a.status}` }, a.status),
        a.decidedBy ? ` by ${a.decidedBy.id}` : '',
        a.decisionReason ? `: ${a.decisionReason}` : '',
      ),
      h(
        'td',
        { 'data-testid': `outcome-${a.id}`, title: 'from the live stream; earlier outcomes are in the audit log' },
        a.status === 'approved' ? (executed(a, ctx) ?? (busy(a, ctx) ? 'executing…' : '—')) : '',
      ),
      h(
        'td',
        {},
        a.status === 'pending' && can
          ? h(
              'button',
              { class: 'primary', 'data-testid': `approve-${a.id}`, onclick: fire(decide(a, 'approve')) },
              'Approve',
            )
          : null,
        a.status === 'pending' && can
          ? h(
              'button',
              { class: 'danger', 'data-testid': `reject-${a.id}`, onclick: fire(decide(a, 'reject')) },
              'Reject',
            )
          : null,
        a.status === 'pending' ? h('span', { class: 'muted' }, ` expires ${time(a.expiresAt)}`) : null,
      ),
    );
  };

  return (ctx) => {
    const pending = ctx.approvals.filter((a) => a.status === 'pending');
    const decided = ctx.approvals.filter((a) => a.status !== 'pending').slice(0, 50);
    const table = (rows: ApprovalRecord[], testId: string) =>
      rows.length === 0
        ? h('p', { class: 'muted', 'data-testid': `${testId}-empty` }, 'None.')
        : h(
            'table',
            { 'data-testid': testId },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...[
                  `requested (${zoneLabel()})`,
                  'agent',
                  'action (open its payment page)',
                  'why asked',
                  'status',
                  'outcome',
                  '',
                ].map((c) => h('th', {}, c)),
              ),
            ),
            h('tbody', {}, ...rows.map((a) => row(a, ctx))),
          );
    replace(
      pane,
      h('h2', {}, `Pending approvals (${pending.length})`),
      table(pending, 'pending-approvals'),
      h('h2', {}, 'Recently decided'),
      table(decided, 'decided-approvals'),
    );
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
