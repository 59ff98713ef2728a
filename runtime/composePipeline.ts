import type { GovernancePolicy, ReputationPolicy } from '../actors/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { Approvals } from './approvals/Approvals.ts';
import type { AgentDefinition } from './agents/defineAgent.ts';
import type { Observability } from './composeObservability.ts';
import type { AlertInput } from './host/AgentHost.ts';
import type { AuditInput } from './persistence/RuntimeStore.ts';
import { ConfidenceFloorStage } from './proposals/ConfidenceFloorStage.ts';
import { kybStage } from './proposals/kybStage.ts';
import { ProposalPipeline } from './proposals/ProposalPipeline.ts';
import { policyStage, SandboxStage } from './proposals/supervisorStages.ts';
import { zeroTrustStage } from './proposals/zeroTrustStage.ts';
import { overrideFacts } from './overrideFacts.ts';
import type { RuntimeOptions } from './RuntimeOptions.ts';
import type { SupervisionTree } from './supervision/SupervisionTree.ts';
import { stageSpan } from './tracing/CycleTracer.ts';

/** What the proposal pipeline is built from (part of {@link composeRuntime}'s graph). */
export interface PipelineParts {
  readonly options: RuntimeOptions;
  readonly tree: SupervisionTree;
  readonly reputation: ReputationPolicy;
  readonly governance: GovernancePolicy;
  readonly approvals: Approvals;
  readonly obs: Observability;
  readonly modeFor: (def: AgentDefinition) => 'dry-run' | 'live';
  readonly env: {
    readonly clock: Clock;
    readonly nodeId: string;
    readonly audit: (entry: AuditInput) => Promise<void>;
    readonly alert: (alert: AlertInput) => void;
  };
}

/**
 * The supervisor stages every proposal passes, in order: sandbox, reputation, zero-trust (unless
 * `zeroTrust: false`), KYB (when configured), governance and the confidence floor.
 */
export function composePipeline(parts: PipelineParts): ProposalPipeline {
  const { options, tree, reputation, governance, approvals, obs, modeFor } = parts;
  const { clock, nodeId, audit, alert } = parts.env;
  const tracer = obs.tracing?.tracer;
  const pipeline = new ProposalPipeline(
    [
      new SandboxStage((id) => tree.get(id)?.def.permissions),
      policyStage(reputation),
      policyStage(governance),
      new ConfidenceFloorStage((id) => tree.get(id)?.def.confidenceFloor),
    ],
    {
      clock,
      audit,
      approvals,
      supervisorOf: (host, role) => tree.supervisorOf(host, role),
      stageDone: (host, st) => tracer?.span(host.id, stageSpan(st)),
      settled: (host, proposal, outcome) => {
        obs.alertBook.onSettled(host.id, { action: proposal.action, outcome });
        obs.telemetry?.onSettled(proposal, outcome, modeFor(host.def));
      },
    },
  );
  if (options.zeroTrust !== false) {
    const zt = options.zeroTrust === undefined || options.zeroTrust === true ? {} : options.zeroTrust;
    const store = options.store?.behaviour;
    const overrides = (f: Record<string, unknown>) => overrideFacts(f, options.factOverrides);
    pipeline.add(
      zeroTrustStage({
        ...zt,
        tree,
        alert,
        clock,
        overrideFacts: overrides,
        ...(store === undefined ? {} : { store }),
      }),
      { before: 'governance' },
    );
  }
  if (options.kyb !== undefined)
    pipeline.add(kybStage({ policy: options.kyb, audit, alert, clock, nodeId }), { before: 'governance' });
  return pipeline;
}
