/**
 * The gateway's response shapes, as the dashboard uses them (type-only imports: the UI talks to the gateway over HTTP only).
 */
export type {
  AgentSummary,
  AgentDetail,
  TreeNode,
  MachineGraph,
  RuntimeMetrics,
  SeriesResult,
  AuditEntry,
  KillScope,
} from '../../gateway/RuntimeApi.ts';
import type { AuditVerifyResult } from '../../gateway/RuntimeApi.ts';

/** POST /api/audit/verify: the chain's verdict and when it was checked. */
export type AuditVerdict = AuditVerifyResult & { checkedAt: number };
export type {
  InspectionEvent,
  TransitionEvent,
  ApprovalRecord,
  AlertEvent,
} from '../../runtime/inspection/InspectionEvent.ts';
export type { KillSwitchState } from '../../runtime/persistence/RuntimeStore.ts';
export type { PaymentStory } from '../../gateway/paymentStory.ts';
export type { AlertRecord } from '../../runtime/alerts/AlertRecord.ts';
export type { AgentReputationReport } from '../../runtime/reputation/agentReputation.ts';
import type { ClusterView } from '../../runtime/placement/Placement.ts';

/** GET /api/cluster: the nodes, which agent runs where, and whether placement is on (off: this node runs them all). */
export type ClusterInfo = ClusterView & { placement: boolean };

/** GET /api/me. */
export interface Me {
  name: string;
  role: 'admin' | 'operator' | 'observer';
  permissions: string[];
  mode: 'dry-run' | 'live';
  nodeId: string;
}

/** Audit filters as the URL and the API carry them: times absolute (ISO with a zone), text as typed. */
export interface AuditFilters {
  from?: string;
  to?: string;
  /** `prefix`: text filters match case-insensitively by prefix (the dashboard always sends it). */
  match?: 'exact' | 'prefix';
  /** `hide`: leave out routine entries (reputation moves, registrations, placements, model answers). */
  noise?: 'show' | 'hide';
  agent?: string;
  currency?: string;
  counterparty?: string;
  status?: string;
  action?: string;
  /** Amount range, inclusive, as decimals (`2500.50`): entries whose amount lies within it. */
  minAmount?: string;
  maxAmount?: string;
}
