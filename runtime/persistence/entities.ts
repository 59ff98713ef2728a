import { defineEntity, p } from '@mikro-orm/core';
import { railEntities } from '../../actors/index.ts';
import { AgentActiveVersionEntity, AgentVersionEntity } from './versionEntities.ts';
import { BehaviourEventEntity, StakeEntryEntity } from './supervisorEntities.ts';
import {
  MetricAssetSampleEntity,
  MetricSampleEntity,
  MetricSeriesAssetEntity,
  MetricSeriesKeyEntity,
} from './seriesEntities.ts';

/*
 * The store's schema, as MikroORM entity schemas (no decorators: code runs through tsx without
 * emitted metadata). Times are epoch milliseconds in BIGINT columns; every column a query filters
 * on is a real column, JSON is kept for the payloads only.
 */

/** A registered agent: definition, version and its Ed25519 seed encrypted at rest (AES-256-GCM). */
export const AgentEntity = defineEntity({
  name: 'AgentEntity',
  tableName: 'mandate_agent',
  properties: {
    id: p.text().primary(),
    did: p.text(),
    version: p.text(),
    supervisorId: p.text(),
    definition: p.json<Record<string, unknown>>(),
    identitySealed: p.text(),
    createdAt: p.bigint('number'),
    updatedAt: p.bigint('number'),
  },
});

/** Snapshot history: one row per persisted step; the highest `seq` per agent is the live one. */
export const SnapshotEntity = defineEntity({
  name: 'SnapshotEntity',
  tableName: 'mandate_snapshot',
  properties: {
    agentId: p.text().primary(),
    seq: p.bigint('number').primary(),
    supervisorId: p.text(),
    state: p.text(),
    snapshot: p.json<unknown>(),
    at: p.bigint('number'),
  },
});

/** The transition journal of every actor. */
export const TransitionEntity = defineEntity({
  name: 'TransitionEntity',
  tableName: 'mandate_transition',
  indexes: [{ properties: ['actorId', 'id'] }, { properties: ['at'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    actorId: p.text(),
    parentId: p.text().nullable(),
    actorKind: p.text(),
    fromState: p.text(),
    toState: p.text(),
    event: p.text(),
    summary: p.json<Record<string, unknown>>(),
    seq: p.bigint('number'),
    at: p.bigint('number'),
  },
});

/** One record per decision: facts, rules fired, rationale, confidence, model, verdict, outcome. */
export const DecisionEntity = defineEntity({
  name: 'DecisionEntity',
  tableName: 'mandate_decision',
  indexes: [{ properties: ['agentId', 'createdAt'] }, { properties: ['createdAt'] }],
  properties: {
    id: p.text().primary(),
    agentId: p.text(),
    cycle: p.integer(),
    trigger: p.json<Record<string, unknown>>(),
    facts: p.json<Record<string, unknown>>(),
    rulesFired: p.json<string[]>(),
    rationale: p.text(),
    confidence: p.double(),
    model: p.text().nullable(),
    action: p.json<Record<string, unknown>>().nullable(),
    verdict: p.json<Record<string, unknown>>().nullable(),
    verdictStatus: p.text().nullable(),
    outcome: p.json<Record<string, unknown>>().nullable(),
    outcomeStatus: p.text().nullable(),
    durationMs: p.double().nullable(),
    feeAmount: p.text().nullable(),
    feeAsset: p.text().nullable(),
    slippageBps: p.double().nullable(),
    traceId: p.string().length(32).nullable(),
    createdAt: p.bigint('number'),
    updatedAt: p.bigint('number'),
  },
});

/** Human- or agent-facing approvals. */
export const ApprovalEntity = defineEntity({
  name: 'ApprovalEntity',
  tableName: 'mandate_approval',
  indexes: [{ properties: ['status', 'requestedAt'] }],
  properties: {
    id: p.text().primary(),
    agentId: p.text(),
    decisionId: p.text(),
    status: p.text(),
    record: p.json<Record<string, unknown>>(),
    requestedAt: p.bigint('number'),
    expiresAt: p.bigint('number'),
    decidedAt: p.bigint('number').nullable(),
  },
});

/** Write-ahead records of external effects, keyed by idempotency key. */
export const IntentEntity = defineEntity({
  name: 'IntentEntity',
  tableName: 'mandate_intent',
  indexes: [{ properties: ['agentId', 'status'] }],
  properties: {
    key: p.text().primary(),
    agentId: p.text(),
    decisionId: p.text(),
    paramsHash: p.text(),
    params: p.json<Record<string, unknown>>(),
    status: p.text(),
    reference: p.text().nullable(),
    receipt: p.json<Record<string, unknown>>().nullable(),
    error: p.json<Record<string, unknown>>().nullable(),
    attempts: p.integer(),
    createdAt: p.bigint('number'),
    updatedAt: p.bigint('number'),
  },
});

/** Reputation changes of agents, append-only. */
export const ReputationEventEntity = defineEntity({
  name: 'ReputationEventEntity',
  tableName: 'mandate_reputation_event',
  indexes: [{ properties: ['agentId', 'id'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    agentId: p.text(),
    kind: p.text(),
    delta: p.double(),
    score: p.double().nullable(),
    reason: p.text(),
    data: p.json<Record<string, unknown>>(),
    at: p.bigint('number'),
  },
});

/** Kill switch state (one row, id `global`); survives restarts. */
export const KillSwitchEntity = defineEntity({
  name: 'KillSwitchEntity',
  tableName: 'mandate_kill_switch',
  properties: {
    id: p.text().primary(),
    state: p.json<Record<string, unknown>>(),
    updatedAt: p.bigint('number'),
  },
});

/** The fencing token of each placed agent's current lease: a write for the agent must carry exactly this token. */
export const FenceEntity = defineEntity({
  name: 'FenceEntity',
  tableName: 'mandate_fence',
  properties: {
    agentId: p.text().primary(),
    token: p.bigint('number'),
    nodeId: p.text(),
    at: p.bigint('number'),
  },
});

/** The hash-chained audit log. Rows are immutable (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export const AuditEntryEntity = defineEntity({
  name: 'AuditEntryEntity',
  tableName: 'mandate_audit_entry',
  indexes: [
    { properties: ['at'] },
    { properties: ['agentId', 'at'] },
    { properties: ['action', 'at'] },
    { properties: ['counterparty', 'at'] },
    { properties: ['currency', 'at'] },
    { properties: ['status', 'at'] },
  ],
  properties: {
    seq: p.bigint('number').primary().autoincrement(false),
    at: p.bigint('number'),
    whoKind: p.text(),
    whoId: p.text(),
    action: p.text(),
    subject: p.text(),
    location: p.text(),
    why: p.text(),
    agentId: p.text().nullable(),
    currency: p.text().nullable(),
    counterparty: p.text().nullable(),
    status: p.text().nullable(),
    data: p.json<Record<string, unknown>>(),
    prevHash: p.text(),
    hash: p.text(),
    /** Store-assigned id of the write (not hashed): lets a retry after an ambiguous commit skip entries already in. */
    entryId: p.text().nullable().unique(),
  },
});

/** Signed checkpoints of the audit chain head (the store's CloudTrail digest files). */
export const AuditCheckpointEntity = defineEntity({
  name: 'AuditCheckpointEntity',
  tableName: 'mandate_audit_checkpoint',
  properties: {
    seq: p.bigint('number').primary().autoincrement(false),
    hash: p.text(),
    at: p.bigint('number'),
    signer: p.text(),
    signature: p.text(),
  },
});

/** The GDPR vault: counterparty personal data, encrypted, referenced from elsewhere by pseudonymous id. */
export const VaultSubjectEntity = defineEntity({
  name: 'VaultSubjectEntity',
  tableName: 'mandate_vault_subject',
  properties: {
    id: p.text().primary(),
    lookupHash: p.text().nullable().unique(),
    sealed: p.text().nullable(),
    createdAt: p.bigint('number'),
    erasedAt: p.bigint('number').nullable(),
  },
});

/** Keys the store itself holds (the audit checkpoint signer), sealed like agent seeds. */
export const NodeKeyEntity = defineEntity({
  name: 'NodeKeyEntity',
  tableName: 'mandate_node_key',
  properties: {
    id: p.text().primary(),
    did: p.text(),
    sealed: p.text(),
    createdAt: p.bigint('number'),
  },
});

/** Operator alerts (the alert book): one row per alert, the record as JSON, status and times as columns. */
export const AlertEntity = defineEntity({
  name: 'AlertEntity',
  tableName: 'mandate_alert',
  indexes: [{ properties: ['status', 'lastAt'] }],
  properties: {
    id: p.text().primary(),
    dedupKey: p.text(),
    code: p.text(),
    severity: p.text(),
    status: p.text(),
    record: p.json<Record<string, unknown>>(),
    lastAt: p.bigint('number'),
  },
});

/** Every entity of the store, in the order the migrations create them. */
export const storeEntities = [
  AgentEntity,
  SnapshotEntity,
  TransitionEntity,
  DecisionEntity,
  ApprovalEntity,
  IntentEntity,
  ReputationEventEntity,
  KillSwitchEntity,
  FenceEntity,
  AuditEntryEntity,
  AuditCheckpointEntity,
  VaultSubjectEntity,
  NodeKeyEntity,
  AlertEntity,
  AgentVersionEntity,
  AgentActiveVersionEntity,
  BehaviourEventEntity,
  StakeEntryEntity,
  MetricSampleEntity,
  MetricSeriesKeyEntity,
  MetricAssetSampleEntity,
  MetricSeriesAssetEntity,
] as const;

/** The store's entities plus the payment rails' (`railEntities`): everything the migrations create. */
export const allEntities = [...storeEntities, ...railEntities] as const;
