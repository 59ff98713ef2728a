import type { ReputationPolicy } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AgentHost, AlertSeverity } from '../host/AgentHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';

/** Reputation points a violation costs, by severity (the seed's slashing: minor 5, major 15). */
export const SANDBOX_VIOLATION_POINTS: Readonly<Partial<Record<ErrorCode, number>>> = {
  // Reaching for the host or for a capability not granted is an attempt to break out: major.
  [ErrorCode.MANDATE_ERR_SANDBOX_FORBIDDEN]: 15,
  [ErrorCode.MANDATE_ERR_SANDBOX_CAPABILITY]: 15,
  // Limits hit, wrong shapes and throws are faults of the code: minor.
  [ErrorCode.MANDATE_ERR_SANDBOX_CPU]: 5,
  [ErrorCode.MANDATE_ERR_SANDBOX_MEMORY]: 5,
  [ErrorCode.MANDATE_ERR_SANDBOX_TIMEOUT]: 5,
  [ErrorCode.MANDATE_ERR_SANDBOX_RESULT]: 5,
  [ErrorCode.MANDATE_ERR_SANDBOX_THREW]: 5,
};

/** What reporting a violation needs. */
export interface SandboxViolationDeps {
  audit(entry: AuditInput): Promise<void>;
  alert(severity: AlertSeverity, code: ErrorCode, message: string, actorId?: string): void;
  reputation: Pick<ReputationPolicy, 'penalize'>;
  clock: { now(): number };
  nodeId: string;
}

/**
 * A sandboxed strategy's run ended in a violation (the phase already alerted it with its code):
 * audit it as `sandbox.violation` and slash the agent's reputation by {@link SANDBOX_VIOLATION_POINTS}.
 * An audit that fails is alerted, never thrown (the phase has failed already).
 */
export function reportSandboxViolation(
  deps: SandboxViolationDeps,
  host: AgentHost,
  phase: string,
  error: { code: ErrorCode; message: string },
): void {
  const at = deps.clock.now();
  const points = SANDBOX_VIOLATION_POINTS[error.code] ?? 5;
  void deps
    .audit({
      who: { kind: 'agent', id: host.identity.did },
      action: 'sandbox.violation',
      subject: host.id,
      where: deps.nodeId,
      why: error.message,
      data: { agentId: host.id, phase, code: error.code, points },
      at,
    })
    .catch((e: Error) =>
      deps.alert(
        'warning',
        ErrorCode.MANDATE_ERR_STORE,
        `sandbox violation of ${host.id} not audited: ${e.message}`,
        host.id,
      ),
    );
  deps.reputation.penalize(host.id, points, `sandbox violation ${error.code} in ${phase}`, at);
}
