import { z } from 'zod';
import { MODEL_COMPLETE, type DraftDecision } from '../../actors/index.ts';
import { InvalidEventError } from '../../machines/index.ts';
import { KillSwitchEngagedError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { MessagingEnv } from './MessagingEnv.ts';

/** The body of a `model.complete` request, as `LocalAgentProvider` sends it. */
export const modelRequestSchema = z.strictObject({
  system: z.string().max(100_000),
  prompt: z.string().max(1_000_000),
  schema: z.record(z.string(), z.unknown()),
});

/** The prompt a `HybridDecider` writes: the asking agent's facts (and, in review mode, what its rules proposed). */
const promptSchema = z.looseObject({ facts: z.record(z.string(), z.unknown()) });

/**
 * The answering side of a local-agent model: an agent holding the capability `model.complete` answers a
 * peer's request with its own decider run on the asking agent's facts, and replies with that decision as
 * the model's output (`{ output: { action, confidence, rationale }, model: "agent:<id>@<version>" }`). It
 * only advises: nothing is proposed, reserved or executed here; the asking agent's decision goes up its own
 * supervisor chain. A killed agent does not answer; each answer is audited (`model.answered`).
 */
export async function answerAsModel(
  env: Pick<MessagingEnv, 'killed' | 'audit' | 'clock'>,
  host: AgentHost,
  request: { body: z.infer<typeof modelRequestSchema>; from: string },
): Promise<unknown> {
  const { body, from } = request;
  if (env.killed(host)) throw new KillSwitchEngagedError(host.id);
  const facts = factsOf(body.prompt, host.id);
  const d = await host.def.decide.decide(facts);
  const model = `agent:${host.id}@${host.version?.label ?? host.def.version}`;
  await env.audit({
    who: { kind: 'agent', id: from },
    action: 'model.answered',
    subject: host.id,
    where: MODEL_COMPLETE,
    why: d.rationale.slice(0, 500),
    data: { model, action: d.action?.type ?? null, confidence: d.confidence, rulesFired: d.rulesFired },
    at: env.clock.now(),
  });
  return { output: outputOf(d), model };
}

function factsOf(prompt: string, agentId: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(prompt);
  } catch {
    raw = undefined;
  }
  const parsed = promptSchema.safeParse(raw);
  if (!parsed.success)
    throw new InvalidEventError(
      `${agentId} answers model.complete prompts that are JSON { facts: { … } } (as a HybridDecider writes them); got ${JSON.stringify(prompt.slice(0, 80))}.`,
      { details: { field: 'prompt' } },
    );
  return parsed.data.facts;
}

/** The decision in the shape models answer (`llmDecisionSchema`): only the fields a model may set. */
function outputOf(d: DraftDecision): unknown {
  const a = d.action;
  const action =
    a === null
      ? null
      : {
          type: a.type,
          capability: a.capability,
          params: a.params,
          ...(a.account === undefined ? {} : { account: a.account }),
          ...(a.amount === undefined ? {} : { amount: { value: a.amount.value, asset: a.amount.asset } }),
          ...(a.counterparty === undefined ? {} : { counterparty: a.counterparty }),
        };
  const rationale = d.rationale.length === 0 ? 'no rationale given' : d.rationale.slice(0, 4000);
  return { action, confidence: d.confidence, rationale };
}
