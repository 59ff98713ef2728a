import type { ActContext } from '../../actors/index.ts';
import type { AgentContext, Outcome } from '../../machines/index.ts';
import { ErrorCode, type MandateError } from '../../kernel/index.ts';
import { ActUnreconciledError, KillSwitchEngagedError, StateConflictError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import { paramsHash, type IntentLog } from '../host/IntentLog.ts';
import { actKeyOf } from './actKeyOf.ts';
import type { PhaseEnv } from './PhaseEnv.ts';

function refused(error: MandateError): Outcome {
  return { status: 'refused', error: { code: error.code, message: error.message } };
}

/**
 * The act phase: exactly-once in effect.
 * 1. The approval record must belong to this decision, and the kill switch must be off.
 * 2. In dry-run an external effect is prepared but not made ("would have sent").
 * 3. Live: the intent is written ahead (keyed by the decision id). A repeat of
 *    a finished intent returns its recorded outcome; an intent that was
 *    executing at a crash is reconciled with the actuator before anything is
 *    sent again — and if the actuator cannot reconcile, nothing is sent.
 */
export async function actPhase(env: PhaseEnv, host: AgentHost, ctx: AgentContext): Promise<Outcome> {
  const { def } = host;
  const decision = ctx.decision;
  const action = decision?.action;
  if (decision == null || action == null || ctx.grant === null || ctx.grant.decisionId !== decision.id) {
    throw new StateConflictError(
      `act of "${host.id}" has no approval record for decision "${decision?.id ?? '(none)'}"; refusing. Only a decision the proposal pipeline approved is acted on: let the agent start a new cycle.`,
      { agentId: host.id, decisionId: decision?.id ?? null },
    );
  }
  if (env.killed(host.target)) return refused(new KillSwitchEngagedError(host.id));
  const actuator = def.act;
  if (actuator === undefined) {
    return {
      status: 'failed',
      error: {
        code: ErrorCode.MANDATE_ERR_CAPABILITY_UNKNOWN,
        message: `agent "${host.id}" has no actuator for "${action.type}"; give its definition an actuator (act) for that action type`,
      },
    };
  }
  const mode = env.modeFor(def);
  const key = actKeyOf(host.id, decision);
  const signatures = ctx.grant.mode === 'manual' ? await env.signaturesOf?.(ctx.grant.approvalId) : undefined;
  const actx: ActContext = {
    agentId: host.id,
    decisionId: decision.id,
    idempotencyKey: key,
    mode,
    now: env.clock.now(),
    ...(signatures === undefined ? {} : { signatures }),
    ...(host.fence === undefined ? {} : { fence: host.fence }),
  };
  const started = env.clock.now();

  if (actuator.effect === 'external' && mode === 'dry-run') {
    const prepared = actuator.prepare === undefined ? {} : await actuator.prepare(action, actx);
    railSpan(env, {
      host: host.id,
      name: 'rail.prepare',
      startMs: started,
      actuator: actuator.name,
      action: action.type,
      status: 'would-have-sent',
    });
    return {
      status: 'would-have-sent',
      receipt: { ...prepared, actuator: actuator.name, action: action.type },
      durationMs: env.clock.now() - started,
    };
  }
  if (actuator.effect === 'internal') return actuator.execute(action, actx);

  const intents = env.intents;
  // The placement lease token: the database refuses these writes once another node took the agent over.
  const fence = host.fence === undefined ? {} : { fence: host.fence };
  const { intent, created } = await intents.beginIntent({
    ...fence,
    key,
    agentId: host.id,
    decisionId: decision.id,
    paramsHash: paramsHash(action),
    params: action as unknown as Record<string, unknown>,
    at: env.clock.now(),
  });
  if (!created) {
    if (intent.status === 'succeeded' || intent.status === 'failed')
      return recorded(intent.receipt, intent.error, intent.status);
    if (intent.status === 'executing') {
      if (actuator.reconcile === undefined) throw new ActUnreconciledError(key);
      const found = await actuator.reconcile(action, actx);
      if (found !== undefined) {
        await finish(env, { key, outcome: found, fence });
        return found;
      }
      // The effect provably never happened: it may be made now, under the same key.
    }
  }
  await intents.updateIntent(key, {
    status: 'executing',
    attempts: intent.attempts + 1,
    at: env.clock.now(),
    ...fence,
  });
  // Checked again right before the effect: an engage that raced the steps above still wins.
  if (env.killed(host.target)) {
    const outcome = refused(new KillSwitchEngagedError(host.id));
    await finish(env, { key, outcome, fence });
    return outcome;
  }
  const railStart = env.clock.now();
  const outcome = await actuator.execute(action, actx);
  railSpan(env, {
    host: host.id,
    name: 'rail.execute',
    startMs: railStart,
    actuator: actuator.name,
    action: action.type,
    status: outcome.status,
  });
  const done = outcome.durationMs === undefined ? { ...outcome, durationMs: env.clock.now() - started } : outcome;
  await finish(env, { key, outcome: done, fence });
  return done;
}

function recorded(
  receipt: Record<string, unknown> | undefined,
  error: { code: string; message: string } | undefined,
  status: 'succeeded' | 'failed',
): Outcome {
  const out: Outcome = { status };
  if (receipt !== undefined) out.receipt = receipt;
  if (error !== undefined) out.error = error;
  return out;
}

/** Marks the intent `key` finished with `outcome`, under the lease's `fence` (when placed). */
async function finish(
  env: PhaseEnv,
  { key, outcome, fence }: { key: string; outcome: Outcome; fence: { fence?: number } },
): Promise<void> {
  const patch: Parameters<IntentLog['updateIntent']>[1] = {
    status: outcome.status === 'succeeded' ? 'succeeded' : 'failed',
    at: env.clock.now(),
    ...fence,
  };
  if (outcome.receipt !== undefined) {
    patch.receipt = outcome.receipt;
    const ref = outcome.receipt.reference;
    if (typeof ref === 'string') patch.reference = ref;
  }
  if (outcome.error !== undefined) patch.error = outcome.error;
  await env.intents.updateIntent(key, patch);
}

/** The span of one rail call (tracing on): which actuator, which action, how it ended. */
function railSpan(
  env: PhaseEnv,
  s: { host: string; name: string; startMs: number; actuator: string; action: string; status: string },
): void {
  env.span?.(s.host, {
    name: s.name,
    startMs: s.startMs,
    endMs: env.clock.now(),
    attributes: { 'mandate.rail': s.actuator, 'mandate.action': s.action, 'mandate.status': s.status },
    error: s.status === 'failed',
  });
}
