// The statement reconciler's decision. It runs in the sandbox (a QuickJS isolate with the memory,
// CPU and time limits of `sandbox:` in statement-reconciler.yaml), not in the host process: it sees
// the facts it is given and nothing else.
export function decide(facts) {
  const unmatched = typeof facts.statement?.unmatched === 'number' ? facts.statement.unmatched : 0;
  if (unmatched <= 0)
    return { action: null, confidence: 1, rationale: 'every statement line matches a ledger entry', rulesFired: [] };
  return {
    action: { type: 'ledger.annotate', capability: 'ledger.annotate', account: 'ops-usd', params: { unmatched } },
    confidence: 1,
    rationale: 'statement lines without a ledger match are flagged for review',
    rulesFired: ['flag-unmatched-line'],
  };
}
