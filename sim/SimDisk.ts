import { chainEntries, GENESIS_HASH, parseAuditInput } from '../runtime/index.ts';
import type {
  AgentRow,
  ApprovalRecord,
  AuditEntry,
  AuditInput,
  DecisionRecord,
  IntentRow,
  KillSwitchState,
  SnapshotRow,
} from '../runtime/index.ts';
import { IdempotencyConflictError } from '../kernel/index.ts';
import { copyJson as copy } from './copyJson.ts';

/** Bugs the simulator can plant in its own store to prove it finds them; never reachable from a runtime's configuration. */
export type StorePlant = 'skip-intent-check';

/**
 * What survives a crash: the store's durable rows, in memory, with the same contract as
 * `PostgresStore` (idempotent intents, newest snapshot wins, a validated, hash-chained audit log
 * built with the runtime's own `chainEntries`). A {@link SimStore} handle of one incarnation reads
 * and writes it through its fault-injecting await points.
 */
export class SimDisk {
  readonly agents = new Map<string, AgentRow>();
  readonly snapshots = new Map<string, SnapshotRow>();
  readonly decisions = new Map<string, DecisionRecord>();
  readonly approvals = new Map<string, ApprovalRecord>();
  readonly intents = new Map<string, IntentRow>();
  readonly audit: AuditEntry[] = [];
  transitions = 0;
  killSwitch: KillSwitchState | undefined;
  readonly #plant: StorePlant | undefined;

  constructor(plant?: StorePlant) {
    this.#plant = plant;
  }

  upsertAgent(row: AgentRow): void {
    this.agents.set(row.id, copy(row));
  }

  saveSnapshot(row: SnapshotRow): void {
    const old = this.snapshots.get(row.agentId);
    if (old === undefined || old.seq <= row.seq) this.snapshots.set(row.agentId, copy(row));
  }

  saveDecision(record: DecisionRecord): void {
    this.decisions.set(record.id, copy(record));
  }

  saveApproval(record: ApprovalRecord, audit?: AuditInput): void {
    if (audit !== undefined) this.appendAudit(audit); // one transaction: the audit refused, nothing changes
    this.approvals.set(record.id, copy(record));
  }

  beginIntent(
    row: Omit<IntentRow, 'status' | 'attempts' | 'createdAt' | 'updatedAt'> & { at: number; fence?: number },
  ): { intent: IntentRow; created: boolean } {
    const existing = this.intents.get(row.key);
    if (existing !== undefined && this.#plant !== 'skip-intent-check') {
      if (existing.paramsHash !== row.paramsHash)
        throw new IdempotencyConflictError(
          `Idempotency key "${row.key}" was already used with different parameters; use a new key for a different effect.`,
          { details: { key: row.key } },
        );
      return { intent: copy(existing), created: false };
    }
    const { at, fence: _fence, ...rest } = row;
    const intent: IntentRow = { ...copy(rest), status: 'pending', attempts: 0, createdAt: at, updatedAt: at };
    this.intents.set(row.key, intent);
    return { intent: copy(intent), created: true };
  }

  updateIntent(key: string, patch: Partial<IntentRow> & { at: number; fence?: number }): void {
    const row = this.intents.get(key);
    if (row === undefined) throw new Error(`sim store: no intent "${key}" to update; beginIntent() comes first`);
    const { at, fence: _fence, ...rest } = patch;
    Object.assign(row, copy(rest), { updatedAt: at });
  }

  /** Validates like the real store (refusing bad input before anything is written), then chains. */
  appendAudit(input: AuditInput): void {
    const valid = parseAuditInput(input);
    const last = this.audit.at(-1);
    this.audit.push(...chainEntries({ seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH }, [valid]));
  }

  saveKillSwitch(state: KillSwitchState, audit?: AuditInput): void {
    if (audit !== undefined) this.appendAudit(audit); // one transaction: the audit refused, nothing changes
    this.killSwitch = copy(state);
  }
}
