/**
 * The runtime surface the gateway drives, and the audit query it reads: the
 * runtime core's and the persistence store's own types, re-exported so the
 * gateway's files import one place.
 */
import type { AuditPage, AuditQuery, AuditVerifyResult } from '../runtime/index.ts';

export type {
  AgentDetail,
  AgentSummary,
  AgentVersionInfo,
  FamilySnapshot,
  KillScope,
  MachineGraph,
  MandateRuntime,
  ReadinessCheck,
  RuntimeMetrics,
  SeriesResult,
  Simulator,
  TaskResult,
  TreeNode,
} from '../runtime/index.ts';
export type { AuditEntry, AuditPage, AuditQuery, AuditVerifyResult } from '../runtime/index.ts';

/** Where audit entries come from: the persistence store's `queryAudit` (newest first, keyset-paged). */
export interface AuditSource {
  queryAudit(query: AuditQuery): Promise<AuditPage>;
  /** Re-reads and checks the whole hash chain and its signed checkpoints; without it POST /api/audit/verify answers 503. */
  verifyAudit?(): Promise<AuditVerifyResult>;
}
