/**
 * Submits a task and answers as soon as its outcome is known or governance
 * parks it for a human: a request must not hang for the whole approval
 * timeout (minutes) while the action waits in the queue.
 */
import type { ApprovalRecord, Principal } from '../runtime/index.ts';
import type { MandateRuntime, TaskResult } from './RuntimeApi.ts';

/** Either the finished task, or the approval it waits for (the task keeps running in the runtime). */
export type GovernedTask = { status: 'done'; result: TaskResult } | { status: 'pending'; approval: ApprovalRecord };

/** {@link submitGoverned}'s answer, and the task's own end (which a pending task reaches after its approval). */
export type GovernedRun = GovernedTask & { readonly finished: Promise<TaskResult> };

/** A task to submit under governance: the capability, its input, and the principal submitting it. */
export interface GovernedSubmission {
  capability: string;
  input: Record<string, unknown>;
  by: Principal;
}

/**
 * Runs `capability` with `input` for `by`.
 *
 * The approval is matched to the task by agent: the first approval opened,
 * after submission, by an agent holding the capability. The runtime reports
 * the decision id only when the task ends, so two tasks for one capability
 * submitted at the same instant could see each other's approval; the
 * approval record names its agent and decision, so the caller can check.
 */
export function submitGoverned(runtime: MandateRuntime, submission: GovernedSubmission): Promise<GovernedTask> {
  return runGoverned(runtime, submission);
}

/** {@link submitGoverned}, also handing over the task's end: a caller answering 202 can act on the outcome later. */
export function runGoverned(
  runtime: MandateRuntime,
  { capability, input, by }: GovernedSubmission,
): Promise<GovernedRun> {
  const holders = new Set(runtime.capabilities().find((c) => c.name === capability)?.agents ?? []);
  let finished!: Promise<TaskResult>;
  return new Promise<GovernedRun>((resolve, reject) => {
    let settled = false;
    let parked: ApprovalRecord | undefined;
    const park = (approval: ApprovalRecord): void => {
      settled = true;
      off();
      resolve({ status: 'pending', approval, finished });
    };
    // The approval is announced while the agent is still proposing; answer once the agent
    // actually waits, so a caller that decides at once is not racing the agent.
    const off = runtime.subscribe((event) => {
      if (settled) return;
      if (
        parked === undefined &&
        event.type === 'approval' &&
        event.approval.status === 'pending' &&
        holders.has(event.approval.agentId)
      ) {
        parked = event.approval;
        if (runtime.getAgent(parked.agentId)?.state === 'awaitingApproval') park(parked);
      } else if (
        parked !== undefined &&
        event.type === 'transition' &&
        event.actorId === parked.agentId &&
        event.to === 'awaitingApproval'
      ) {
        park(parked);
      }
    });
    finished = runtime.submitTask(capability, input, by);
    finished.then(
      (result) => {
        off();
        if (settled) return;
        settled = true;
        resolve({ status: 'done', result, finished });
      },
      (error: unknown) => {
        off();
        if (settled) return; // the task failed after it was reported pending; the runtime alerts and audits it
        settled = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
