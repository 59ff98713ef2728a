/**
 * Closes the learning loop for one agent's rule parameters: at most once per period each tunable
 * parameter takes one {@link tuneParameter} step on its stored outcomes; every change is audited
 * with before, after and the evidence; operators freeze, unfreeze or revert a parameter.
 */
import type { Clock } from '../../kernel/index.ts';
import { RuleDefinitionError } from '../errors.ts';
import type { RuleParameter } from '../deciders/ruleParams.ts';
import type { TunableDecider } from '../deciders/RulesDecider.ts';
import { tuneParameter, type TuningObjective, type TuningObservation, type TuningStep } from './tuneParameter.ts';

export type { TunableDecider };

/** A parameter as operators see it: its value now, the declared one, bounds, and whether it is frozen. */
export interface ParameterState extends RuleParameter {
  value: number;
  frozen: boolean;
  /** When the tuner last changed it (epoch ms), if ever since the start. */
  tunedAt: number | null;
}

/** One audited tuning event. */
export interface TuningEvent {
  action: 'learn.tuned' | 'learn.frozen' | 'learn.unfrozen' | 'learn.reverted';
  agentId: string;
  parameter: string;
  before: number;
  after: number;
  by: string;
  why: string;
  /** For `learn.tuned`: the step's reason and arms. */
  evidence?: Omit<TuningStep, 'before' | 'after'>;
  /** For `learn.reverted`: back to the declared value rather than one step. */
  toDeclared?: boolean;
}

/** Options of {@link ParameterTuner}. */
export interface ParameterTunerOptions {
  agentId: string;
  decider: TunableDecider;
  /** At most one tuning step per parameter per period. */
  periodMs: number;
  clock: Clock;
  /** The stored outcomes of decisions taken with `parameter` (newest last), from the outcome store. */
  observations(parameter: string): Promise<TuningObservation[]>;
  /** Writes an audit entry; a change is applied only after its entry is written. */
  audit(event: TuningEvent): Promise<void>;
  objective?: TuningObjective;
  minSamples?: number;
}

/** The tuner of one agent. Changes are kept in memory; the audit trail is the durable record. */
export class ParameterTuner {
  readonly #o: ParameterTunerOptions;
  readonly #lastStep = new Map<string, number>();
  readonly #frozen = new Set<string>();
  readonly #history = new Map<string, number[]>();
  readonly #tunedAt = new Map<string, number>();

  constructor(options: ParameterTunerOptions) {
    this.#o = options;
  }

  /** Which parameters are frozen. */
  frozen(): string[] {
    return [...this.#frozen].sort();
  }

  /** Every parameter of the rule set (fixed ones too) with its state. */
  state(): ParameterState[] {
    return this.#o.decider.parameters().map((p) => ({
      ...p,
      frozen: this.#frozen.has(p.key),
      tunedAt: this.#tunedAt.get(p.key) ?? null,
    }));
  }

  /**
   * Replays this agent's audited tuning events, oldest first, so values, freezes and the revert
   * history survive a restart (the audit trail is the durable record). An event whose parameter the
   * rule set no longer has, or whose value its bounds no longer allow, is skipped and returned.
   */
  restore(events: readonly (TuningEvent & { at: number })[]): (TuningEvent & { at: number })[] {
    const skipped: (TuningEvent & { at: number })[] = [];
    const tunable = new Map(this.#o.decider.parameters().map((p) => [p.key, p]));
    for (const e of events) {
      const p = tunable.get(e.parameter);
      if (p?.tunable === undefined) {
        skipped.push(e);
        continue;
      }
      if (e.action === 'learn.frozen') this.#frozen.add(e.parameter);
      else if (e.action === 'learn.unfrozen') this.#frozen.delete(e.parameter);
      else {
        try {
          this.#o.decider.setParameter(e.parameter, e.after);
        } catch {
          skipped.push(e);
          continue;
        }
        const history = this.#history.get(e.parameter) ?? [];
        if (e.action === 'learn.tuned') {
          this.#history.set(e.parameter, [...history, e.before]);
          this.#lastStep.set(e.parameter, e.at);
          this.#tunedAt.set(e.parameter, e.at);
        } else {
          this.#history.set(e.parameter, e.toDeclared === true ? [] : history.slice(0, -1));
          this.#frozen.add(e.parameter);
        }
      }
    }
    return skipped;
  }

  /**
   * Takes one step for each tunable, unfrozen parameter whose period has passed; returns the
   * events of the parameters that changed.
   */
  async tick(): Promise<TuningEvent[]> {
    const now = this.#o.clock.now();
    const changed: TuningEvent[] = [];
    for (const p of this.#o.decider.parameters()) {
      if (p.tunable === undefined || this.#frozen.has(p.key)) continue;
      const last = this.#lastStep.get(p.key);
      if (last !== undefined && now - last < this.#o.periodMs) continue;
      this.#lastStep.set(p.key, now);
      const { before, after, ...evidence } = tuneParameter(p.value, p.tunable, {
        observations: await this.#o.observations(p.key),
        ...(this.#o.objective === undefined ? {} : { objective: this.#o.objective }),
        ...(this.#o.minSamples === undefined ? {} : { minSamples: this.#o.minSamples }),
      });
      if (after === before) continue;
      const event: TuningEvent = {
        action: 'learn.tuned',
        agentId: this.#o.agentId,
        parameter: p.key,
        before,
        after,
        by: 'learner',
        why: `bounded hill climb: ${evidence.reason}`,
        evidence,
      };
      await this.#o.audit(event);
      this.#o.decider.setParameter(p.key, after);
      this.#history.set(p.key, [...(this.#history.get(p.key) ?? []), before]);
      this.#tunedAt.set(p.key, now);
      changed.push(event);
    }
    return changed;
  }

  /** Stops tuning `parameter` until unfrozen (audited). */
  async freeze(parameter: string, by: string, why: string): Promise<void> {
    const p = this.#param(parameter);
    await this.#o.audit({
      action: 'learn.frozen',
      agentId: this.#o.agentId,
      parameter,
      before: p.value,
      after: p.value,
      by,
      why,
    });
    this.#frozen.add(parameter);
  }

  /** Lets the tuner move `parameter` again (audited). */
  async unfreeze(parameter: string, by: string, why: string): Promise<void> {
    const p = this.#param(parameter);
    await this.#o.audit({
      action: 'learn.unfrozen',
      agentId: this.#o.agentId,
      parameter,
      before: p.value,
      after: p.value,
      by,
      why,
    });
    this.#frozen.delete(parameter);
  }

  /**
   * Undoes the last tuning step of `parameter` (audited), or with `toDeclared` goes back to the
   * value its YAML declares. The parameter is frozen afterwards, so the tuner does not redo it.
   */
  async revert(parameter: string, by: string, options: { why: string; toDeclared?: boolean }): Promise<number> {
    const p = this.#param(parameter);
    const history = this.#history.get(parameter) ?? [];
    const target = options.toDeclared === true ? p.declared : (history.at(-1) ?? p.declared);
    await this.#o.audit({
      action: 'learn.reverted',
      agentId: this.#o.agentId,
      parameter,
      before: p.value,
      after: target,
      by,
      why: options.why,
      ...(options.toDeclared === true ? { toDeclared: true } : {}),
    });
    this.#o.decider.setParameter(parameter, target);
    this.#history.set(parameter, options.toDeclared === true ? [] : history.slice(0, -1));
    this.#frozen.add(parameter);
    return target;
  }

  #param(key: string): RuleParameter & { value: number } {
    const p = this.#o.decider.parameters().find((q) => q.key === key && q.tunable !== undefined);
    if (p === undefined)
      throw new RuleDefinitionError(`Agent "${this.#o.agentId}" has no tunable parameter "${key}".`, {
        field: 'params',
        param: key,
      });
    return p;
  }
}
