import { codeOf, ErrorCode, MandateError } from '../../kernel/index.ts';
import { ContractorRole, type AdoptionAnswer, type Award, type AwardOrigin } from '../../registry/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { TaskResult } from '../MandateRuntime.ts';
import type { MessagingEnv } from './MessagingEnv.ts';

/** A contract-net result the cycle did not deliver: denied, failed, or never started. */
function failed(code: ErrorCode, message: string, details: Record<string, unknown>): MandateError {
  return new MandateError(code, message, { details });
}

async function waitUntilFree(
  env: MessagingEnv,
  host: AgentHost,
  { withinMs: ms, signal }: { withinMs: number; signal: AbortSignal },
): Promise<void> {
  const until = env.clock.now() + ms;
  while (!env.canStart(host)) {
    if (signal.aborted)
      throw failed(ErrorCode.MANDATE_ERR_TASK_FAILED, `Award withdrawn while "${host.id}" was busy.`, {
        agentId: host.id,
      });
    if (env.clock.now() > until)
      throw failed(
        ErrorCode.MANDATE_ERR_STATE_CONFLICT,
        `Agent "${host.id}" could not start the awarded subtask within ${ms} ms (busy, paused, killed or gated).`,
        { agentId: host.id },
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Writes one answer to a `task.adopt` into the runtime's audit chain, before the hand-over takes effect (a failed
 * write refuses the adoption, so the award is never handed over unaudited): who adopted, from whom, which award.
 */
async function auditAdoption(env: MessagingEnv, host: AgentHost, answer: AdoptionAnswer): Promise<void> {
  const { type, by, from, manager, taskId, subtaskId, awardId } = answer;
  await env.audit({
    who: { kind: 'agent', id: by },
    action: type,
    subject: host.id,
    where: `contractnet:${taskId}/${subtaskId}`,
    why:
      answer.reason ??
      `manager ${by} took over award ${awardId} from ${from}${answer.resent === true ? ' (result sent again)' : ''}`,
    data: {
      agentId: host.id,
      taskId,
      subtaskId,
      awardId,
      by,
      from,
      manager: manager ?? null,
      resent: answer.resent ?? null,
    },
    at: env.clock.now(),
  });
}

/**
 * The contract-net role of a runtime agent that declares `contractor:` (YAML or `defineAgent`): it bids the
 * declared price and eta for the capabilities listed (declining while the kill switch covers it), and runs
 * each award it wins as one cycle through the whole supervisor chain, the award's input as the trigger's data.
 * The result is that cycle's {@link TaskResult}; a denial or a failed outcome is reported as a failed result
 * with its code, so the manager gives the subtask to the next bidder. A manager taking over an award
 * (`task.adopt`) must be named in `adopters` when that is set; each answer is audited
 * (`contractnet.award.adopted`, `contractnet.award.adopt.denied`).
 */
export function runtimeContractor(host: AgentHost, env: MessagingEnv): ContractorRole | undefined {
  const spec = host.def.contractor;
  if (spec === undefined) return undefined;
  const capabilities = (spec.capabilities ?? host.def.capabilities).filter((c) => host.def.capabilities.includes(c));
  return new ContractorRole({
    capabilities,
    progressEveryMs: 1_000,
    ...(spec.adopters === undefined ? {} : { adopters: spec.adopters }),
    onAdoption: (answer) => auditAdoption(env, host, answer),
    bid: async () =>
      env.killed(host)
        ? undefined
        : { ...(spec.price === undefined ? {} : { price: spec.price }), etaMs: spec.eta, confidence: spec.confidence },
    perform: async (award: Award, signal: AbortSignal, { manager, traceparent }: AwardOrigin) => {
      await waitUntilFree(env, host, { withinMs: spec.startWithin, signal });
      const input =
        typeof award.input === 'object' && award.input !== null && !Array.isArray(award.input)
          ? (award.input as Record<string, unknown>)
          : { value: award.input };
      const result: TaskResult = await env.runTaskOn({
        host,
        capability: award.capability,
        input,
        by: { kind: 'agent', id: manager },
        ...(traceparent === undefined ? {} : { traceparent }),
      });
      const details = { agentId: host.id, decisionId: result.decisionId };
      if (result.verdict !== null && result.verdict.status !== 'approved')
        throw failed(
          ErrorCode.MANDATE_ERR_PROPOSAL_DENIED,
          `"${host.id}" was not allowed to act (${result.verdict.by}: ${result.verdict.reason}).`,
          details,
        );
      if (result.outcome?.status === 'failed') {
        const error = (result.outcome as { error?: { code?: string; message?: string } }).error;
        throw failed(
          codeOf(error, ErrorCode.MANDATE_ERR_ACT_FAILED),
          error?.message ?? `"${host.id}"'s action failed.`,
          details,
        );
      }
      return JSON.parse(JSON.stringify(result)) as unknown;
    },
  });
}
