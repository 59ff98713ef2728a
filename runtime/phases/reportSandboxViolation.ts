import type { ReputationPolicy } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';

/** Severity of each sandbox violation; each is slashed as a compliance violation (docs/reputation.md). */
export const SANDBOX_VIOLATION_SEVERITY: Readonly<Partial<Record<ErrorCode, 'minor' | 'major'>>> = {
  // Reaching for the host or for a capability not granted is an attempt to break out: major.
  [ErrorCode.MANDATE_ERR_SANDBOX_FORBIDDEN]: 'major',
  [ErrorCode.MANDATE_ERR_SANDBOX_CAPABILITY]: 'major',
  // Limits hit, wrong shapes and throws are faults of the code: minor.
  [ErrorCode.MANDATE_ERR_SANDBOX_CPU]: 'minor',
  [ErrorCode.MANDATE_ERR_SANDBOX_MEMORY]: 'minor',
  [ErrorCode.MANDATE_ERR_SANDBOX_TIMEOUT]: 'minor',
  [ErrorCode.MANDATE_ERR_SANDBOX_RESULT]: 'minor',
  [ErrorCode.MANDATE_ERR_SANDBOX_THREW]: 'minor',
};

/** What reporting a violation needs. */
export interface SandboxViolationDeps {
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
  reputation: Pick<ReputationPolicy, 'slash'>;
  clock: { now(): number };
  nodeId: string;
}

/**
 * A sandboxed strategy's run ended in a violation (the phase already alerted it with its code):
 * audit it as `sandbox.violation` and slash the agent's reputation by {@link SANDBOX_VIOLATION_SEVERITY}.
 * An audit that fails is alerted, never thrown (the phase has failed already).
 */
export function reportSandboxViolation(
  deps: SandboxViolationDeps,
  { host, phase, error }: { host: AgentHost; phase: string; error: { code: ErrorCode; message: string } },
): void {
  const at = deps.clock.now();
  const severity = SANDBOX_VIOLATION_SEVERITY[error.code] ?? 'minor';
  void deps
    .audit({
      who: { kind: 'agent', id: host.identity.did },
      action: 'sandbox.violation',
      subject: host.id,
      where: deps.nodeId,
      why: error.message,
      data: { agentId: host.id, phase, code: error.code, severity },
      at,
    })
    .catch((e: Error) =>
      deps.alert({
        severity: 'warning',
        code: ErrorCode.MANDATE_ERR_STORE,
        message: `sandbox violation of ${host.id} not audited: ${e.message}`,
        actorId: host.id,
      }),
    );
  deps.reputation.slash(host.id, {
    severity,
    type: 'compliance-violation',
    reason: `sandbox violation ${error.code} in ${phase}`,
    at,
  });
}
