/**
 * One payment's whole story at its own URL (`#/payments/<decision id | key | invoice | approval>`):
 * what the agent saw and decided, every supervisor stage's verdict, the approvals (who, when, why,
 * quorum) with Approve / Reject while one is pending, the execution (attempts, receipt, transaction
 * hash or bank reference) and the audit entries with their chain hashes.
 */
import { ApiError } from '../api.ts';
import type { DashboardContext } from '../dashboardStore.ts';
import { fire, h, replace, time } from '../dom.ts';
import { agentHref, routeHash } from '../router.ts';
import type { Mount } from '../shell.ts';
import { relative, zoneLabel } from '../timeZone.ts';
import type { ApprovalRecord, PaymentStory } from '../types.ts';
import { describeAction } from './approvalsView.ts';
import { feeText, onChainFacts } from './chainReceipt.ts';
import { decideApproval } from './decideApproval.ts';
import { facts, table } from './storyParts.ts';

/** Mounts the payment page of `id`; it reloads the story when its approvals or its agent move. */
export function mountPaymentView({ root, store, api, id }: Mount & { id: string }): (ctx: DashboardContext) => void {
  const pane = h('section', { class: 'pane payment', 'data-testid': 'payment' });
  replace(root, pane);
  let story: PaymentStory | null = null;
  let failure: string | null = null;
  let last: DashboardContext | undefined;
  let seen = '';
  let timer: ReturnType<typeof setTimeout> | undefined;

  const load = async (): Promise<void> => {
    try {
      story = await api.payment(id);
      failure = null;
    } catch (err) {
      failure = err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message;
    }
    if (last) render(last);
  };

  const decide = (approval: ApprovalRecord, verdict: 'approve' | 'reject') =>
    fire(() => decideApproval({ store, api, approval, verdict, then: load }));

  const approvalRows = (ctx: DashboardContext, s: PaymentStory): HTMLElement => {
    const can = ctx.me?.permissions.includes('approval.decide') ?? false;
    // The live list is newer than the story's copy while an answer travels.
    const approvals = s.approvals.map((a) => ctx.approvals.find((x) => x.id === a.id) ?? a);
    return table({
      testId: 'payment-approvals',
      head: ['approval', `requested (${zoneLabel()})`, 'why asked', 'status', 'by', 'when', 'why', 'quorum', ''],
      rows: approvals.map((a) => [
        a.id,
        time(a.requestedAt),
        a.reason,
        h('span', { class: `badge ${a.status}`, 'data-testid': `payment-approval-status-${a.id}` }, a.status),
        a.decidedBy ? `${a.decidedBy.kind}:${a.decidedBy.id}` : '',
        a.decidedAt === undefined ? '' : time(a.decidedAt),
        a.decisionReason ?? '',
        `${a.required ?? 1} needed${a.approvers?.length ? ` from ${a.approvers.join(', ')}` : ''}${a.signatures ? `, ${Object.keys(a.signatures).length} signed` : ''}`,
        a.status === 'pending' && can
          ? h(
              'span',
              {},
              h(
                'button',
                { class: 'primary', 'data-testid': `approve-${a.id}`, onclick: decide(a, 'approve') },
                'Approve',
              ),
              h('button', { class: 'danger', 'data-testid': `reject-${a.id}`, onclick: decide(a, 'reject') }, 'Reject'),
            )
          : a.status === 'pending'
            ? h('span', { class: 'muted' }, `expires ${time(a.expiresAt)}`)
            : '',
      ]),
    });
  };

  function render(ctx: DashboardContext): void {
    last = ctx;
    if (story === null) {
      replace(
        pane,
        h('h2', {}, `Payment ${id}`),
        failure === null
          ? h('p', { class: 'muted' }, 'Loading…')
          : h('p', { class: 'error', 'data-testid': 'payment-error' }, failure),
      );
      return;
    }
    const s = story;
    const d = s.decision;
    const verdict = d.verdict;
    const intent = s.intent;
    const receipt = intent?.receipt ?? d.outcome?.receipt;
    const status = intent?.status ?? d.outcome?.status ?? verdict?.status ?? 'decided';
    const warnings = [
      ...(s.duplicate.settled === null ? [] : [`Key ${s.key} is already ${s.duplicate.settled}.`]),
      ...s.duplicate.approvedBefore.map(
        (b) =>
          `Key ${s.key} was already approved (${b.id}) by ${b.decidedBy?.id ?? 'someone'}${b.decisionReason ? `: ${b.decisionReason}` : ''}.`,
      ),
    ];
    replace(
      pane,
      h(
        'h2',
        {},
        `Payment ${s.key} `,
        h('span', { class: `badge ${status}`, 'data-testid': 'payment-status' }, status),
      ),
      h('p', { class: 'muted' }, d.action === null ? 'no action' : describeAction(d.action)),
      warnings.length === 0
        ? null
        : h(
            'div',
            { class: 'duplicate-warning', 'data-testid': 'payment-duplicate', role: 'alert' },
            ...warnings.map((w) => h('p', {}, w)),
          ),
      h('h3', {}, 'Decision'),
      facts('payment-decision', [
        ['decision', d.id],
        ['agent', h('a', { href: agentHref(d.agentId) }, d.agentId)],
        ['cycle', String(d.cycle)],
        ['decided', `${time(d.createdAt)} ${zoneLabel()} (${relative(d.createdAt)})`],
        ['trigger', JSON.stringify(d.trigger)],
        ['rationale', d.rationale],
        ['confidence', d.confidence.toFixed(2)],
        ['rules fired', d.rulesFired.length === 0 ? 'none' : d.rulesFired.join(', ')],
        ['model', d.model ?? 'rules only'],
      ]),
      h('h3', {}, 'Facts'),
      facts(
        'payment-facts',
        Object.entries(d.facts).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
      h('h3', {}, 'Supervisor stages'),
      verdict === null
        ? h('p', { class: 'muted' }, 'Not proposed yet.')
        : table({
            testId: 'payment-stages',
            head: ['stage', 'supervisor', 'verdict', 'reasons'],
            rows: (verdict.stages ?? []).map((st) => [
              st.stage,
              st.role,
              h('span', { class: `badge ${st.status}`, 'data-stage': st.stage }, st.status),
              st.reason,
            ]),
            empty: `No stage ran: ${verdict.by}: ${verdict.reason}`,
          }),
      verdict === null
        ? null
        : h(
            'p',
            { 'data-testid': 'payment-verdict' },
            `Final word: ${verdict.status} by ${verdict.by}: ${verdict.reason}`,
          ),
      h('h3', {}, 'Approvals'),
      s.approvals.length === 0 ? h('p', { class: 'muted' }, 'No approval was asked for.') : approvalRows(ctx, s),
      h('h3', {}, 'Execution'),
      facts('payment-execution', [
        ['idempotency key', s.key],
        ['intent', intent === null ? 'not started (nothing sent)' : intent.status],
        ['attempts', intent === null ? '0' : String(intent.attempts)],
        ['reference', intent?.reference ?? '—'],
        ...Object.entries(receipt ?? {}).map(([k, v]): [string, string] => [
          `receipt ${k}`,
          typeof v === 'string' ? v : JSON.stringify(v),
        ]),
        ['outcome', d.outcome === null ? '—' : d.outcome.status],
        ...(d.outcome?.fees ? [['fees', feeText(d.outcome.fees, receipt?.rail)] as [string, string]] : []),
        ...(intent?.error ? [['error', `${intent.error.code}: ${intent.error.message}`] as [string, string]] : []),
      ]),
      ...onChainSection(receipt),
      h('h3', {}, 'Audit trail'),
      table({
        testId: 'payment-audit',
        head: ['seq', `when (${zoneLabel()})`, 'who', 'action', 'status', 'why', 'hash', 'previous'],
        rows: s.audit.map((e) => [
          String(e.seq),
          time(e.at),
          `${e.who.kind}:${e.who.id}`,
          e.action,
          e.status ?? '',
          e.why,
          h('span', { class: 'mono', title: e.hash }, e.hash.slice(0, 16)),
          h('span', { class: 'mono', title: e.prevHash }, e.prevHash.slice(0, 16)),
        ]),
        empty: 'No audit entries (no audit store, or none yet).',
      }),
      h(
        'p',
        {},
        h(
          'a',
          { href: routeHash({ view: 'audit', filters: { agent: d.agentId } }) },
          `All audit entries of ${d.agentId}`,
        ),
      ),
    );
  }

  void load();
  return (ctx) => {
    // Reload (debounced) when an approval of this story changes or its agent moves.
    const agent = story?.decision.agentId;
    const mine = story === null ? [] : ctx.approvals.filter((a) => a.decisionId === story?.decision.id);
    const head = ctx.feed.find((t) => t.actorId === agent);
    const key = `${mine.map((a) => a.status).join()}|${head?.seq ?? ''}`;
    if (story !== null && key !== seen) {
      const first = seen === '';
      seen = key;
      if (!first && timer === undefined)
        timer = setTimeout(() => {
          timer = undefined;
          void load();
        }, 200);
    }
    render(ctx);
  };
}

/** "On chain": chain, transaction (or signature), block, payer, fee; nothing for fiat and dry-runs. */
function onChainSection(receipt: unknown): HTMLElement[] {
  const pairs = onChainFacts(receipt);
  return pairs === null ? [] : [h('h3', {}, 'On chain'), facts('payment-chain', pairs)];
}
