import { z } from 'zod';

/** Message types of the contract-net exchange (docs/protocol.md §9). */
export const ContractNetType = {
  cfp: 'task.cfp',
  award: 'task.award',
  result: 'task.result',
  cancel: 'task.cancel',
  progress: 'task.progress',
  adopt: 'task.adopt',
} as const;

/** The capability a manager must hold (in its signed registry descriptor) to adopt another manager's tasks. */
export const ADOPT_CAPABILITY = 'contractnet.adopt';

const Id = z.string().min(1).max(128);

/** Call for proposals: sent as a request to each candidate; the reply is its bid. */
export const CallForProposalsSchema = z.strictObject({
  taskId: Id,
  subtaskId: Id,
  capability: z.string().min(1).max(128),
  input: z.json(),
  /** Epoch ms by which the manager wants the result once awarded. */
  deadline: z.int().nonnegative(),
});
/** Call for proposals. */
export type CallForProposals = z.infer<typeof CallForProposalsSchema>;

/** A contractor's answer to a call for proposals (`task.cfp.reply`). */
export const BidSchema = z.union([
  z.strictObject({
    taskId: Id,
    subtaskId: Id,
    decision: z.literal('bid'),
    price: z.strictObject({ amount: z.string().regex(/^\d+(\.\d+)?$/), asset: z.string().min(1).max(32) }).optional(),
    etaMs: z.int().nonnegative(),
    confidence: z.number().min(0).max(1),
  }),
  z.strictObject({ taskId: Id, subtaskId: Id, decision: z.literal('decline'), reason: z.string().max(500) }),
]);
/** A bid or a decline. */
export type Bid = z.infer<typeof BidSchema>;

/** The award: sent durably (JetStream) to the winner. */
export const AwardSchema = z.strictObject({
  taskId: Id,
  subtaskId: Id,
  awardId: Id,
  capability: z.string().min(1).max(128),
  input: z.json(),
  deadline: z.int().nonnegative(),
  /** 1 for the first award, 2 for the first backup, … */
  attempt: z.int().positive(),
});
/** An award. */
export type Award = z.infer<typeof AwardSchema>;

/** The outcome of an award, sent durably back to the manager with the capability claimed. */
export const TaskResultSchema = z.union([
  z.strictObject({ taskId: Id, subtaskId: Id, awardId: Id, ok: z.literal(true), output: z.json() }),
  z.strictObject({
    taskId: Id,
    subtaskId: Id,
    awardId: Id,
    ok: z.literal(false),
    error: z.strictObject({ code: z.string().max(128), message: z.string().max(2000) }),
  }),
]);
/** A task result. */
export type TaskResult = z.infer<typeof TaskResultSchema>;

/** Withdraws an award (the manager re-awarded the subtask to a backup). */
export const CancelSchema = z.strictObject({ taskId: Id, subtaskId: Id, awardId: Id, reason: z.string().max(500) });
/** A cancellation. */
export type Cancel = z.infer<typeof CancelSchema>;

/** "Still working": sent by the awardee while it performs, so a silent (dead) awardee is noticed early. */
export const ProgressSchema = z.strictObject({ taskId: Id, subtaskId: Id, awardId: Id });
/** A progress beat. */
export type Progress = z.infer<typeof ProgressSchema>;

/**
 * "I manage this award now": a request from a manager (claiming {@link ADOPT_CAPABILITY}) that adopted the task
 * of `from`, the manager that awarded it. The reply is `{accepted: true}`, or a `mandate.error`.
 */
export const AdoptSchema = z.strictObject({
  taskId: Id,
  subtaskId: Id,
  awardId: Id,
  from: z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/, "the adopted manager's did:key"),
});
/** An adoption notice. */
export type Adopt = z.infer<typeof AdoptSchema>;
