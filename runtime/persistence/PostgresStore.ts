import type { Principal } from '../../kernel/index.ts';
import type { ApprovalRecord, TransitionEvent } from '../inspection/InspectionEvent.ts';
import { parseAuditInput } from '../audit/auditEntry.ts';
import type { AuditInput } from '../audit/AuditInput.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { PersonalDataVault } from '../audit/PersonalDataVault.ts';
import { compactHistory, type CompactionResult, type RetentionPolicy } from './compactHistory.ts';
import { IntentUnknownError, type SnapshotCorruptError } from './errors.ts';
import { raiseFence, staleSnapshotError } from './fenceStatements.ts';
import type { GroupCommit } from './GroupCommit.ts';
import { ALL_SNAPSHOTS, storeSnapshotReader } from './storeSnapshotReader.ts';
import { storeWriter } from './storeWriter.ts';
import { checkSameParams, insertIntent, patchIntent } from './intentStatements.ts';
import type { AgentIdentity } from '../../transport/index.ts';
import { loadNodeIdentity } from './loadNodeIdentity.ts';
import { loadWalletSeed } from './loadWalletSeed.ts';
import { queryDecisionRecords, queryOutcomes, type OutcomeQuery, type OutcomeRow } from './queryOutcomes.ts';
import type { ReputationStore } from './ReputationEvent.ts';
import { PostgresReputationStore } from './PostgresReputationStore.ts';
import { PostgresBehaviourStore } from './PostgresBehaviourStore.ts';
import { PostgresStakeStore } from './PostgresStakeStore.ts';
import type { AgentRow, DecisionRecord, IntentRow, KillSwitchState } from './RuntimeStore.ts';
import type { RuntimeStore, SnapshotRow } from './RuntimeStore.ts';
import { approvalById, listApprovals } from './approvalQueries.ts';
import { decisionFromRow, intentFromRow } from './rowMappers.ts';
import type { AgentDbRow, DecisionDbRow, IntentDbRow, SnapshotDbRow } from './rowMappers.ts';
import { FENCED, type AppliedBatch, type StoreJob } from './applyBatch.ts';
import { pgExecutor, pgTransaction, type PgTx } from './PgExecutor.ts';
import type { AlertStore } from '../alerts/AlertStore.ts';
import type { AgentVersionStore } from '../versions/AgentVersion.ts';
import { PostgresAgentVersions } from './PostgresAgentVersions.ts';
import { PostgresAlertStore } from './PostgresAlertStore.ts';
import { PostgresMetricSeries } from './PostgresMetricSeries.ts';
import { PostgresAuditTrail } from './PostgresAuditTrail.ts';
import type { PostgresStoreParts } from './PostgresStoreParts.ts';
import * as records from './recordStatements.ts';
import { parseInput, storeSchemas } from './storeSchemas.ts';
import { withDbRetry } from './withDbRetry.ts';

type Run = (tx: SqlExecutor) => Promise<unknown>;

/**
 * The {@link RuntimeStore} on PostgreSQL — a real server, or the embedded PGlite cluster served on
 * loopback through the same node-postgres driver; both run the same schema, migrations and SQL.
 * Every query is plain SQL on the pool; MikroORM is used for the schema only (entity definitions,
 * migrations at open, the schema check). Writes go through a {@link GroupCommit}: a write's promise
 * resolves only after its transaction committed. It has every optional capability of the contract
 * (`audit`, `databaseUrl`, `compact`), plus the vault, feedback data and reputation history.
 */
export class PostgresStore implements RuntimeStore {
  readonly #p: PostgresStoreParts;
  readonly #writer: GroupCommit<StoreJob, PgTx, AppliedBatch>;
  readonly #chain: PostgresAuditTrail;
  readonly #snapshots: ReturnType<typeof storeSnapshotReader>;
  #closed = false;
  /** Snapshots left out of the last {@link loadSnapshots} because they do not parse. */
  snapshotProblems: SnapshotCorruptError[] = [];
  /** The GDPR vault of counterparty personal data. */
  readonly vault: PersonalDataVault;
  /** The audit trail's read side: query, verify, checkpoint. */
  readonly audit: AuditTrail;
  /** The alert book's alerts, and the sampled metric series (per agent and region, downsampled with age). */
  readonly alerts: AlertStore;
  readonly series: PostgresMetricSeries;
  /** Agent definition versions (immutable) and the one each agent runs. */
  readonly versions: AgentVersionStore;
  /** The reputation history (append-only): every change, with the full score it left. */
  readonly reputation: ReputationStore;
  /** The zero-trust stage's behaviour history (replayed into its baselines at start) and the stake ledger. */
  readonly behaviour: PostgresBehaviourStore;
  readonly stakes: PostgresStakeStore;

  constructor(parts: PostgresStoreParts) {
    const { pool, audit: log, witness, retry, clock } = (this.#p = parts);
    this.vault = parts.vault;
    [this.alerts, this.series] = [new PostgresAlertStore(pool), new PostgresMetricSeries(pool)];
    this.versions = new PostgresAgentVersions(pool);
    const write = (run: Run, audit?: readonly AuditInput[]) => this.#sql(run, audit);
    const sql = { write, read: <R>(q: string, ps?: unknown[]) => this.#read<R>(q, ps) };
    this.reputation = new PostgresReputationStore(sql);
    [this.behaviour, this.stakes] = [new PostgresBehaviourStore(sql), new PostgresStakeStore(sql)];
    const chain = new PostgresAuditTrail({ pool, log, witness, retry, clock, flush: () => this.flush() });
    [this.#chain, this.audit] = [chain, chain];
    this.#writer = storeWriter(parts, chain);
    this.#snapshots = storeSnapshotReader(parts);
  }

  /** The node's messaging identity from `file`, its private key sealed with this store's data key (see {@link loadNodeIdentity}). */
  nodeIdentity(file: string): Promise<AgentIdentity> {
    return loadNodeIdentity(file, this.#p.box);
  }

  /** The node's wallet seed (hex), sealed in the database; agents' EVM accounts derive from it. */
  walletSeed(): Promise<string> {
    return loadWalletSeed(pgExecutor(this.#p.pool), this.#p.box, this.#p.clock);
  }

  /** Whether the store runs on the embedded database. */
  get embedded(): boolean {
    return this.#p.embedded !== undefined;
  }

  /** The URL the store connects to; on the embedded driver, the Unix-socket URL of the PGlite server (for tools and tests). */
  get databaseUrl(): string {
    return this.#p.url;
  }

  async open(): Promise<void> {
    await this.ping();
    const tampered = await this.#chain.checkWitness();
    if (tampered !== undefined) this.#p.onProblem(tampered);
  }

  /**
   * Commits what is queued, signs a final checkpoint, and closes the database (and the embedded
   * server). The database is closed either way; when the final checkpoint could not be signed, the
   * store then rejects with an `AuditCheckpointError` (`MANDATE_ERR_AUDIT_CHECKPOINT`) saying why.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([this.#writer.close(), this.#snapshots.close()]);
    this.#closed = true;
    const failure = await this.#chain.finalCheckpoint();
    await this.#p.witness?.settled(); // the final checkpoint is on file before the process may exit
    await this.#p.orm.close(true);
    await this.#p.embedded?.stop();
    if (failure !== undefined) throw failure;
  }

  async ping(): Promise<void> {
    await withDbRetry(() => this.#db().execute('select 1'), { ...this.#p.retry, attempts: 1 }, 'a ping');
  }

  /** Waits until every write submitted so far has committed. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  async upsertAgent(row: AgentRow): Promise<void> {
    const a = parseInput(storeSchemas.agent, row, 'agent row');
    const sealed = this.#p.box.seal(a.identitySeed, `agent:${a.id}`);
    const now = this.#p.clock();
    await this.#sql((tx) => records.upsertAgentRow(tx, { ...a, sealed, at: now }));
  }

  async listAgents(): Promise<AgentRow[]> {
    const rows = await this.#read<AgentDbRow>('select * from mandate_agent order by id');
    return rows.map((r) => records.agentFromRow(r, this.#p.box));
  }

  async saveSnapshot(row: SnapshotRow): Promise<void> {
    const s = parseInput(storeSchemas.snapshot, row, 'snapshot row');
    parseInput(storeSchemas.persistedSnapshot, s.snapshot, `persisted snapshot of agent "${s.agentId}"`);
    const result = await this.#writer.submit({ kind: 'snapshot', row: { ...s, snapshot: s.snapshot } });
    if (result === FENCED) throw staleSnapshotError(s);
  }

  async raiseFence(fence: { agentId: string; token: number; nodeId: string }): Promise<void> {
    const f = parseInput(storeSchemas.fence, fence, 'fence');
    await this.#sql((tx) => raiseFence(tx, { ...f, at: this.#p.clock() }));
  }

  /**
   * The latest snapshot of every agent (or of `agentId` only). A snapshot that does not parse is left out (the
   * agent is not resumed from garbage), reported through `onProblem` and kept in {@link snapshotProblems}.
   */
  async loadSnapshots(agentId?: string): Promise<SnapshotRow[]> {
    const one = agentId === undefined ? undefined : this.#snapshots.load(agentId);
    const rows = await (one ?? this.#read<SnapshotDbRow>(ALL_SNAPSHOTS));
    const { good, problems } = records.snapshotsFromRows(rows);
    this.snapshotProblems = problems;
    for (const problem of problems) this.#p.onProblem(problem);
    return good;
  }

  async appendTransitions(events: TransitionEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => parseInput(storeSchemas.transition, e, 'transition event'));
    await this.#writer.submit({ kind: 'transitions', rows: rows as TransitionEvent[] });
  }

  async saveDecision(record: DecisionRecord): Promise<void> {
    const d: DecisionRecord = parseInput<DecisionRecord>(storeSchemas.decision, record, 'decision record');
    await this.#writer.submit({ kind: 'decision', record: d });
  }

  async getDecision(id: string): Promise<DecisionRecord | undefined> {
    const rows = await this.#read<DecisionDbRow>('select * from mandate_decision where id = ?', [id]);
    return rows[0] === undefined ? undefined : decisionFromRow(rows[0]);
  }

  async saveApproval(record: ApprovalRecord, audit?: AuditInput): Promise<void> {
    const a = parseInput(storeSchemas.approval, record, 'approval record');
    await this.#sql((tx) => records.upsertApproval(tx, a), audit === undefined ? [] : [audit]);
  }

  listApprovals(status?: ApprovalRecord['status']): Promise<ApprovalRecord[]> {
    return listApprovals((q, ps) => this.#read(q, ps), status);
  }

  getApproval(id: string): Promise<ApprovalRecord | undefined> {
    return approvalById((q, ps) => this.#read(q, ps), id);
  }

  async beginIntent(
    row: Omit<IntentRow, 'status' | 'attempts' | 'createdAt' | 'updatedAt'> & { at: number; fence?: number },
  ): Promise<{ intent: IntentRow; created: boolean }> {
    const i = parseInput(storeSchemas.intentBegin, row, 'intent');
    const result = (await this.#sql((tx) => insertIntent(tx, i))) as { intent: IntentRow; created: boolean };
    checkSameParams(result, i);
    return result;
  }

  async updateIntent(key: string, patch: Parameters<RuntimeStore['updateIntent']>[1]): Promise<void> {
    const p = parseInput(storeSchemas.intentPatch, patch, 'intent update');
    const updated = (await this.#sql((tx) => patchIntent(tx, key, p))) as unknown[];
    if (updated.length === 0)
      throw new IntentUnknownError(
        `No intent "${key}" exists to update; call beginIntent() before executing the effect.`,
        { details: { key } },
      );
  }

  async findIntent(key: string): Promise<IntentRow | undefined> {
    const rows = await this.#read<IntentDbRow>('select * from mandate_intent where key = ?', [key]);
    return rows[0] === undefined ? undefined : intentFromRow(rows[0]);
  }

  /** Intents not yet `succeeded`/`failed`, oldest first: what reconciliation looks at after a restart. */
  async listOpenIntents(agentId?: string): Promise<IntentRow[]> {
    return (await this.#read<IntentDbRow>(...records.openIntentsQuery(agentId))).map(intentFromRow);
  }

  /** Saves the kill switch state; with `audit`, the entry recording the change commits in the same transaction. */
  async saveKillSwitch(state: KillSwitchState, audit?: AuditInput): Promise<void> {
    const s = parseInput(storeSchemas.killSwitch, state, 'kill switch state');
    await this.#sql((tx) => records.upsertKillSwitch(tx, s, this.#p.clock()), audit === undefined ? [] : [audit]);
  }

  async loadKillSwitch(): Promise<KillSwitchState | undefined> {
    const rows = await this.#read<{ state: unknown }>(`select state from mandate_kill_switch where id = 'global'`);
    return rows[0] === undefined
      ? undefined
      : parseInput(storeSchemas.killSwitch, rows[0].state, 'stored kill switch state');
  }

  async appendAudit(entry: AuditInput): Promise<void> {
    await this.#writer.submit({ kind: 'audit', input: parseAuditInput(entry), entryId: this.#entryId() });
  }

  /**
   * GDPR erasure of a data subject: deletes their personal data from the vault and records the
   * erasure (by pseudonym only) in the audit trail. The chain still verifies afterwards.
   */
  async eraseSubject(
    id: string,
    by: Principal = { kind: 'system', id: 'gdpr' },
    why = 'data subject erasure request',
  ): Promise<void> {
    await this.vault.eraseSubject(id);
    await this.appendAudit(records.erasureEntry({ id, by, why, at: this.#p.clock() }));
  }

  /** Past decisions with their outcomes, for the learning layer. */
  async queryOutcomes(query: OutcomeQuery): Promise<OutcomeRow[]> {
    return withDbRetry(() => queryOutcomes(this.#db(), query), this.#p.retry, 'an outcome query');
  }

  /** Recorded decisions with their facts, oldest first (shadow mode replays them). */
  async queryDecisions(query: OutcomeQuery): Promise<DecisionRecord[]> {
    return withDbRetry(() => queryDecisionRecords(this.#db(), query), this.#p.retry, 'a decision query');
  }

  /** Compacts journal and snapshot history per agent by `policy` (default: the store's retention policy). */
  async compact(policy: RetentionPolicy = this.#p.retention): Promise<CompactionResult> {
    await this.flush();
    return pgTransaction(this.#p.pool, (tx) => compactHistory(tx, policy, this.#p.clock()));
  }

  #entryId(): string {
    return Buffer.from(this.#p.random(16)).toString('base64url');
  }

  #db(): SqlExecutor {
    return pgExecutor(this.#p.pool);
  }

  /** Runs a read; `R` is the row shape of our own schema (rowMappers.ts). */
  #read<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    return withDbRetry(() => this.#db().execute(sql, params) as Promise<R[]>, this.#p.retry, 'a read');
  }

  /** Runs `run` in a write; with `audit` (validated first), those entries join the chain in its transaction: all commit or none. */
  #sql(run: Run, audit: readonly AuditInput[] = []): Promise<unknown> {
    if (audit.length === 0) return this.#writer.submit({ kind: 'sql', run });
    const audits = audit.map((input) => ({ input: parseAuditInput(input), entryId: this.#entryId() }));
    return this.#writer.submit({ kind: 'audited', audits, run });
  }
}
