import type { KybCheck, KybPolicy } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AuditInput } from '../audit/AuditInput.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { ProposalStage } from './ProposalStage.ts';

/** What the KYB stage needs from the runtime. */
export interface KybStageDeps {
  readonly policy: KybPolicy;
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
  readonly clock: { now(): number };
  readonly nodeId: string;
}

/**
 * The counterparty check (KYB, sanctions, jurisdiction), owned by the governance supervisor and
 * run before governance. Every check is audited (`compliance.kyb.<verdict>`, with the provider,
 * status, jurisdiction, matches and whether the answer was cached) before its verdict counts; a
 * sanctions match raises `MANDATE_KYB_SANCTIONS_MATCH`.
 */
export function kybStage(deps: KybStageDeps): ProposalStage {
  const record = async (agentId: string, decisionId: string, check: KybCheck) => {
    await deps.audit({
      who: { kind: 'system', id: 'kyb' },
      action: `compliance.kyb.${check.verdict}`,
      subject: check.counterparty,
      where: `${deps.nodeId}/${check.provider}`,
      why: check.reason,
      data: {
        agentId,
        decisionId,
        counterparty: check.counterparty,
        provider: check.provider,
        status: check.status,
        cached: check.cached,
        ...(check.jurisdiction === undefined ? {} : { jurisdiction: check.jurisdiction }),
        ...(check.sanctions.length === 0 ? {} : { sanctions: check.sanctions }),
        ...(check.error === undefined ? {} : { error: check.error }),
      },
      at: deps.clock.now(),
    });
    if (check.sanctions.length > 0)
      deps.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_KYB_SANCTIONS_MATCH,
        message: `${agentId}: ${check.reason}`,
        actorId: agentId,
      });
  };
  return {
    name: 'kyb',
    role: 'governance',
    async evaluate(proposal) {
      const { result, check } = await deps.policy.evaluate(proposal);
      if (check !== undefined) await record(proposal.agentId, proposal.decision.id, check);
      return result;
    },
  };
}
