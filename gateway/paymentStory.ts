/**
 * One payment's whole story, assembled from the store: the decision (facts, options, rules fired,
 * confidence, rationale), the pipeline's verdict, the approvals (who, when, why, quorum), the
 * write-ahead intent (attempts, receipt, bank reference or transaction hash) and the audit entries
 * with their chain hashes. Found by decision id, idempotency key (`<agent>:<key>`), business key
 * (the invoice id) or approval id. The verdict carries every supervisor stage's own answer.
 */
import { actKeyOf, NotFoundError, type DecisionRecord, type IntentRow } from '../runtime/index.ts';
import type { AuditEntry, MandateRuntime } from './RuntimeApi.ts';

/** Most audit entries of the agent scanned for the story's own entries (newest first). */
const AUDIT_SCAN = 1_000;

type Approval = ReturnType<MandateRuntime['listApprovals']>[number];

/** What GET /api/payments/:key answers. */
export interface PaymentStory {
  decision: DecisionRecord;
  /** The act's idempotency key. */
  key: string;
  intent: IntentRow | null;
  approvals: Approval[];
  /** Another decision under the same key that was approved or paid: approving this one changes nothing. */
  duplicate: { settled: IntentRow['status'] | null; approvedBefore: Approval[] };
  audit: Pick<AuditEntry, 'seq' | 'at' | 'action' | 'who' | 'why' | 'subject' | 'status' | 'hash' | 'prevHash'>[];
}

function businessKeyOf(action: Record<string, unknown> | null | undefined): string | undefined {
  const params = action?.params as Record<string, unknown> | undefined;
  const key = params?.idempotencyKey;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

async function findDecision(runtime: MandateRuntime, id: string): Promise<DecisionRecord | undefined> {
  const store = runtime.store;
  if (store === undefined) return undefined;
  const direct = await store.getDecision(id);
  if (direct !== undefined) return direct;
  const keys = [id, ...runtime.listAgents().map((a) => `${a.id}:${id}`)];
  for (const key of keys) {
    const intent = await store.findIntent(key);
    if (intent !== undefined) return store.getDecision(intent.decisionId);
  }
  // Not acted on yet: that approval, or the newest approval whose action carries that business key.
  const approval = runtime
    .listApprovals()
    .filter((a) => {
      const business = businessKeyOf(a.action);
      return (
        a.id === id ||
        a.decisionId === id ||
        (business !== undefined && (business === id || `${a.agentId}:${business}` === id))
      );
    })
    .reverse()
    // A pending one first (what an approver is looking at), then the newest.
    .sort(
      (a, b) => Number(b.status === 'pending') - Number(a.status === 'pending') || b.requestedAt - a.requestedAt,
    )[0];
  return approval === undefined ? undefined : store.getDecision(approval.decisionId);
}

/** Assembles the story of `id`; `MANDATE_ERR_NOT_FOUND` when nothing has that id or key. */
export async function paymentStory(runtime: MandateRuntime, id: string): Promise<PaymentStory> {
  const decision = await findDecision(runtime, id);
  const store = runtime.store;
  if (decision === undefined || store === undefined) throw new NotFoundError('payment', id);
  const key = actKeyOf(decision.agentId, { id: decision.id, action: decision.action as never });
  const intent = (await store.findIntent(key)) ?? null;
  const all = runtime.listApprovals();
  const approvals = all.filter((a) => a.decisionId === decision.id);
  const business = businessKeyOf(decision.action);
  const approvedBefore =
    business === undefined
      ? []
      : all.filter(
          (a) =>
            a.decisionId !== decision.id &&
            a.status === 'approved' &&
            a.agentId === decision.agentId &&
            businessKeyOf(a.action) === business,
        );
  const subjects = new Set([decision.id, key, ...approvals.map((a) => a.id)]);
  const audit: PaymentStory['audit'] = [];
  let cursor: string | undefined;
  for (let scanned = 0; store.audit !== undefined && scanned < AUDIT_SCAN;) {
    const page = await store.audit.query({
      agent: decision.agentId,
      limit: 200,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const e of page.entries)
      if (subjects.has(e.subject))
        audit.push({
          seq: e.seq,
          at: e.at,
          action: e.action,
          who: e.who,
          why: e.why,
          subject: e.subject,
          status: e.status,
          hash: e.hash,
          prevHash: e.prevHash,
        });
    scanned += page.entries.length;
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return {
    decision,
    key,
    intent,
    approvals,
    duplicate: {
      // Only another decision's settled intent is a duplicate: this decision's own is its outcome.
      settled:
        intent !== null &&
        intent.decisionId !== decision.id &&
        (intent.status === 'succeeded' || intent.status === 'failed')
          ? intent.status
          : null,
      approvedBefore,
    },
    audit: audit.sort((a, b) => a.seq - b.seq),
  };
}
