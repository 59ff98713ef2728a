import { ErrorCode } from '../kernel/index.ts';
import type { AgentEndpoint, CapabilityRegistry } from '../transport/index.ts';
import { ADOPT_CAPABILITY, ContractNetType } from './contractNetMessages.ts';
import type { ContractNetStore, TaskRecord } from './ContractNetStore.ts';
import { TaskAdoptDeniedError, TaskAdoptLostError } from './errors.ts';

/** One step of an adoption, for the audit trail (`ContractNetManagerOptions.onAudit`). */
export type AdoptionEvent =
  | { type: 'contractnet.task.adopted'; taskId: string; from: string; by: string; at: number }
  | {
      /** Another manager (`winner`; null when the record was closed otherwise) adopted the task first: `by` wrote nothing for it. */
      type: 'contractnet.task.adopt.lost';
      taskId: string;
      from: string;
      by: string;
      winner: string | null;
      /** `MANDATE_ERR_TASK_ADOPT_LOST`. */
      code: string;
      reason: string;
      at: number;
    }
  | {
      type: 'contractnet.award.handed.over';
      taskId: string;
      subtaskId: string;
      awardId: string;
      contractor: string;
      from: string;
      by: string;
      at: number;
      /** `accepted`, or the code the contractor (or the transport) answered with. */
      outcome: string;
    };

/** What {@link adoptTasks} needs of the adopting manager. */
export interface AdoptionContext {
  /** The adopting manager's did. */
  self: string;
  /** The manager whose open tasks are adopted. */
  from: string;
  registry: CapabilityRegistry;
  store: ContractNetStore;
  endpoint: AgentEndpoint;
  now: () => number;
  audit: (event: AdoptionEvent) => void;
}

/**
 * Moves the open tasks of manager `from` to manager `self` (a different identity), after checking that `self`
 * may: it holds `contractnet.adopt` in its own signed registry descriptor, and `from` is not active there (its
 * heartbeat expired, or it was revoked). Each of `from`'s open records is first closed as `adopted` by `self`
 * (`adoptedBy`), compare-and-set on the record's revision ({@link ContractNetStore.adopt}): of several managers
 * adopting at once exactly one wins a task, and a paused `from` that wakes writes nothing more
 * (`MANDATE_ERR_TASK_FENCED`). Only the winner then writes the task as its own (marked `adoptedFrom`); a loser
 * writes nothing for it and audits `contractnet.task.adopt.lost` (`MANDATE_ERR_TASK_ADOPT_LOST`). A crash
 * between the two writes is finished by adopting again (the closed record names `self`). Every awardee still
 * working is told (`task.adopt`, a signed request under the capability), so its progress beats and result come
 * to `self`; one that cannot be reached is left to the award timeouts, which re-award as usual. Returns the
 * adopted records (now `self`'s).
 */
export async function adoptTasks(ctx: AdoptionContext): Promise<TaskRecord[]> {
  const { self, from, registry, store } = ctx;
  if (from === self)
    throw new TaskAdoptDeniedError(`Manager ${self} cannot adopt its own tasks; restart it and call resume().`, {
      details: { from },
    });
  const me = await registry.lookup(self);
  if (me.state !== 'active' || !me.descriptor.capabilities.some((c) => c.name === ADOPT_CAPABILITY))
    throw new TaskAdoptDeniedError(
      `Manager ${self} may not adopt the tasks of ${from}: its registry descriptor does not list capability "${ADOPT_CAPABILITY}"; register it with that capability (governance grants it).`,
      { details: { self, from } },
    );
  const old = await registry.lookup(from);
  if (old.state === 'active')
    throw new TaskAdoptDeniedError(
      `Manager ${self} may not adopt the tasks of ${from}: that manager is still active in the registry (heartbeat at ${old.descriptor.heartbeatAt}); adopt only once its heartbeat expired or it was revoked.`,
      { details: { self, from } },
    );
  const adopted: TaskRecord[] = [];
  for (const record of await store.adoptable(from, self)) {
    const outcome = await store.adopt(record, self, ctx.now());
    if (!outcome.won) {
      const lost = new TaskAdoptLostError(
        `Manager ${self} did not adopt task "${record.id}" of ${from}: ${outcome.holder === undefined ? `its record is ${outcome.status}` : `manager ${outcome.holder} adopted it first`}; nothing was written for it here.`,
      );
      ctx.audit({
        type: 'contractnet.task.adopt.lost',
        taskId: record.id,
        from,
        by: self,
        winner: outcome.holder ?? null,
        code: lost.code,
        reason: lost.message,
        at: ctx.now(),
      });
      continue;
    }
    const existing = await store.get(self, record.id);
    if (existing?.adoptedFrom === from && existing.status !== 'open') continue; // adopted and finished before
    const mine = existing ?? {
      ...structuredClone(outcome.record),
      manager: self,
      adoptedFrom: from,
      updatedAt: ctx.now(),
    };
    ctx.audit({ type: 'contractnet.task.adopted', taskId: record.id, from, by: self, at: ctx.now() });
    if (mine.status !== 'open' || mine.adoptedFrom !== from) continue; // finished already, or a task of its own with the same id: not touched
    await store.save(mine);
    await handOver(ctx, mine);
    adopted.push(mine);
  }
  return adopted;
}

/** Tries per awardee while it does not know the adopter yet (200, 400, 600, 800 ms apart). */
const HANDOVER_ATTEMPTS = 5;

/** Tells every awardee still working on `record` that `self` manages its award now. */
async function handOver(ctx: AdoptionContext, record: TaskRecord): Promise<void> {
  await Promise.all(
    Object.entries(record.running).map(async ([subtaskId, p]) => {
      const award = p.current;
      if (award === undefined || !award.sent) return; // not sent yet: the adopter sends it itself, as its own
      let outcome: string;
      // A registry descriptor written moments ago may not have reached the awardee's registry yet: the awardee's
      // refusal (unknown signer, answered before any handler ran) is retried with a fresh envelope, a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          await ctx.endpoint.request({
            to: award.did,
            type: ContractNetType.adopt,
            cap: ADOPT_CAPABILITY,
            body: { taskId: record.id, subtaskId, awardId: award.awardId, from: ctx.from },
            timeoutMs: 5_000,
          });
          outcome = 'accepted';
          break;
        } catch (err) {
          const e = err as { code?: string; details?: { remoteCode?: string } };
          const remote = e.details?.remoteCode;
          outcome = remote ?? e.code ?? ErrorCode.MANDATE_ERR_TRANSPORT_USAGE;
          if (remote !== ErrorCode.MANDATE_ERR_ENVELOPE_UNKNOWN_SIGNER || attempt === HANDOVER_ATTEMPTS) break;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
      ctx.audit({
        type: 'contractnet.award.handed.over',
        taskId: record.id,
        subtaskId,
        awardId: award.awardId,
        contractor: award.did,
        from: ctx.from,
        by: ctx.self,
        at: ctx.now(),
        outcome,
      });
    }),
  );
}
