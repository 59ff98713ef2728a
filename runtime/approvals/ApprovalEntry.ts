import type { Actor } from 'xstate';
import { z } from 'zod';
import type { Proposal } from '../../actors/index.ts';
import type { ApprovalMachine } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';

/** An approver's answer: why, and (for a signature quorum) their signature over the request. */
export interface ApprovalAnswerInput {
  reason?: string;
  /** 0x-prefixed 65-byte signature (EIP-712, made in the approver's wallet). */
  signature?: string;
}

/** Options of one approval request: quorums and approver lists (governance rules set them). */
export interface ApprovalRequirement {
  /** Distinct approvers needed (default 1). */
  required?: number;
  /** Who may answer (`human:alice`, `role:treasurer`); empty: anyone with the approve permission. */
  approvers?: readonly string[];
}

/** A request to open: the waiting agent, its proposal, why it needs approval, how long it may wait, who must answer. */
export interface ApprovalOpening {
  host: AgentHost;
  proposal: Proposal;
  reason: string;
  timeoutMs: number;
  requirement?: ApprovalRequirement;
}

/** How a request is tracked: its proposal (if in memory), time left, who must answer. */
export interface Tracking {
  proposal: Proposal | undefined;
  timeoutMs: number;
  requirement: ApprovalRequirement;
}

/** One tracked request: its record, actor and how far its ending got. */
export interface Entry {
  record: ApprovalRecord;
  proposal: Proposal | undefined;
  actor: Actor<ApprovalMachine>;
  /** The decision being stored (write-ahead); set from the moment it is decided until it is applied. */
  finishing: Promise<ApprovalRecord> | undefined;
  delivered: boolean;
  /** The answers being stored, one after another: each is audited before the next is looked at. */
  answering: Promise<unknown>;
}

/** A 65-byte signature as the approve API takes it. */
export const signatureSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{130}$/, 'a 0x-prefixed 65-byte signature (130 hex digits)');

/** The approval machine's input for `record`: who may answer, how many must, within how long. */
export function machineInput(record: ApprovalRecord, timeoutMs: number, requirement: ApprovalRequirement) {
  return {
    id: record.id,
    agentId: record.agentId,
    decisionId: record.decisionId,
    required: requirement.required ?? 1,
    approvers: requirement.approvers ?? [],
    timeoutMs,
  };
}

/** A new entry for `record`, nothing being stored or answered yet. */
export function newEntry(record: ApprovalRecord, proposal: Proposal | undefined, actor: Actor<ApprovalMachine>): Entry {
  return { record, proposal, actor, finishing: undefined, delivered: false, answering: Promise.resolve() };
}
