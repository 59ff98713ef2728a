import type { Actor, AnyStateMachine } from 'xstate';
import {
  phaseDone,
  phaseFailed,
  phaseStep,
  type AgentContext,
  type AgentEvent,
  type Phase,
} from '../../machines/index.ts';
import { ErrorCode, MandateError } from '../../kernel/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { PhaseWatchdog } from '../host/PhaseWatchdog.ts';
import { actPhase } from './actPhase.ts';
import { decidePhase } from './decidePhase.ts';
import { learnPhase } from './learnPhase.ts';
import { perceivePhase } from './perceivePhase.ts';
import type { PhaseEnv } from './PhaseEnv.ts';
import { proposePhase } from './proposePhase.ts';
import { SANDBOX_VIOLATION_SEVERITY } from './reportSandboxViolation.ts';
import { toPhaseError } from './toPhaseError.ts';

/** One run of a phase: which, the context the machine entered it with, the step it answers, the actor that asked. */
interface PhaseJob {
  phase: Phase;
  ctx: AgentContext;
  step: number;
  actor: Actor<AnyStateMachine>;
}

/**
 * Runs the work of each phase when an agent's machine enters it (its `startPhase` action) and
 * reports the result back as the phase's done or failed event, carrying the step it answers.
 * Never throws. The watchdog is told the phase's deadline; a result is delivered only to the
 * actor that asked for it (after a restart the new actor's counters start again, so its steps
 * could collide with the old one's).
 */
export class PhaseRunner {
  readonly #env: PhaseEnv;
  readonly #watchdog: PhaseWatchdog;

  constructor(env: PhaseEnv, watchdog: PhaseWatchdog) {
    this.#env = env;
    this.#watchdog = watchdog;
  }

  /** Starts `phase` for `host` with the context the machine entered it with. */
  start(host: AgentHost, phase: Phase, ctx: AgentContext): void {
    const step = phaseStep(ctx);
    host.phaseStep = step;
    host.phaseDeadline = this.#env.clock.now() + ctx.limits.phaseTimeoutMs;
    this.#watchdog.watch(host);
    void this.#run(host, { phase, ctx, step, actor: host.actor });
  }

  async #run(host: AgentHost, job: PhaseJob): Promise<void> {
    await Promise.resolve(); // never report back inside the transition that started the phase
    const { phase, step, actor } = job;
    let event: AgentEvent;
    try {
      event = await this.#work(host, job);
    } catch (error) {
      const err = toPhaseError(phase, error);
      this.#env.alert({
        severity: 'warning',
        code: err.code,
        message: `${host.id} ${phase}: ${err.message}`,
        actorId: host.id,
      });
      if (Object.hasOwn(SANDBOX_VIOLATION_SEVERITY, err.code)) this.#env.sandboxViolation?.(host, phase, err);
      // A coded 4xx (bad input, a conflict) will not get better by retrying; neither will an act
      // whose effect cannot be reconciled.
      const retryable =
        !(error instanceof MandateError) ||
        (error.status >= 500 && error.code !== ErrorCode.MANDATE_ERR_ACT_UNRECONCILED);
      event = phaseFailed({ phase, step, error: err, retryable });
    }
    if (actor === host.actor) host.deliver(event);
  }

  async #work(host: AgentHost, { phase, ctx, step }: PhaseJob): Promise<AgentEvent> {
    const env = this.#env;
    switch (phase) {
      case 'perceive':
        return phaseDone('perceive', step, { facts: await perceivePhase(env, host, ctx) });
      case 'decide':
        return phaseDone('decide', step, { decision: await decidePhase(env, host, ctx) });
      case 'propose':
        return phaseDone('propose', step, { verdict: await proposePhase(env, host, ctx) });
      case 'act':
        return phaseDone('act', step, { outcome: await actPhase(env, host, ctx) });
      case 'learn':
        await learnPhase(env, host, ctx);
        return phaseDone('learn', step);
    }
  }
}
