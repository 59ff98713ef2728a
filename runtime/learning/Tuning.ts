/**
 * The learning loop, wired: one `ParameterTuner` per hosted agent whose rules declare tunable
 * parameters. After every learn phase it takes at most one bounded step per parameter per period
 * (the agent's `tuning.period`), on the outcomes the store holds for decisions taken with each
 * value; every change, freeze, unfreeze and revert is audited before it applies, and replayed from
 * the audit trail when the agent starts again (docs/decisions.md, "Learning").
 */
import {
  ParameterTuner,
  type ParameterState,
  type TunableDecider,
  type TuningEvent,
  type TuningObservation,
} from '../../actors/index.ts';
import { ErrorCode, type Clock, type Principal } from '../../kernel/index.ts';
import type { Decision, Outcome } from '../../machines/index.ts';
import { checkInput, principalSchema, reasonSchema } from '../control/checkInput.ts';
import { NotFoundError } from '../errors.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { AuditInput, RuntimeStore } from '../persistence/RuntimeStore.ts';
import { restoreTuning } from './restoreTuning.ts';

/** What the tuning service needs. */
export interface TuningDeps {
  clock: Clock;
  store: RuntimeStore | undefined;
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
  /** The hosted agent (a passivated one is reactivated), or undefined. */
  agent(id: string): Promise<AgentHost | undefined>;
}

/** An operator's change to one rule parameter (see {@link Tuning.change}). */
export interface ParameterChange {
  /** `<rule>.<name>`, e.g. `fees-spiking.threshold`. */
  parameter: string;
  action: 'freeze' | 'unfreeze' | 'revert';
  by: Principal;
  why: string;
  /** With `revert`: back to the value the YAML declares instead of one step. */
  toDeclared?: boolean;
}

/** How many executed outcomes one step reads (newest first). */
const WINDOW = 1_000;
const DEFAULT_PERIOD = 3_600_000;

/** An executed outcome with the parameter values its decision was taken with. */
interface Observed {
  params: Record<string, number>;
  succeeded: boolean;
  fees?: number;
  slippageBps?: number;
}

interface Entry {
  tuner: ParameterTuner;
  /** Outcomes remembered in memory when the store cannot query outcomes, or there is none (the newest {@link WINDOW}). */
  recent: Observed[];
}

/** The runtime's tuners, by agent id. */
export class Tuning {
  readonly #d: TuningDeps;
  readonly #entries = new Map<string, { decider: TunableDecider | undefined; ready: Promise<Entry | undefined> }>();

  constructor(deps: TuningDeps) {
    this.#d = deps;
  }

  /** After a learn phase: remembers the outcome (when the store cannot be queried for it) and takes a step when a period has passed. */
  async afterLearn(host: AgentHost, decision: Decision | null, outcome: Outcome): Promise<void> {
    try {
      const entry = await this.#entry(host);
      if (entry === undefined) return;
      if (this.#d.store?.queryOutcomes === undefined && decision?.params !== undefined && executed(outcome)) {
        entry.recent.push({ params: decision.params, ...observed(outcome) });
        if (entry.recent.length > WINDOW) entry.recent.shift();
      }
      await entry.tuner.tick();
    } catch (error) {
      this.#d.alert({
        severity: 'warning',
        code: ErrorCode.MANDATE_LEARN_TUNING_FAILED,
        message: `${host.id}: tuning its rule parameters failed, values unchanged: ${(error as Error).message}`,
        actorId: host.id,
      });
    }
  }

  /** The agent's rule parameters with their values, bounds and freezes ([] when its rules declare none). */
  async parameters(agentId: string): Promise<ParameterState[]> {
    const host = await this.#host(agentId);
    const entry = await this.#entry(host);
    // Only fixed parameters: nothing to tune, but they are listed all the same.
    return (
      entry?.tuner.state() ??
      (host.def.decide.tunable?.parameters() ?? []).map((p) => ({ ...p, frozen: false, tunedAt: null }))
    );
  }

  /**
   * An operator's change to a tunable parameter, audited before it applies: `freeze` stops the tuner
   * moving it (`learn.frozen`), `unfreeze` lets it move again (`learn.unfrozen`), `revert` undoes its
   * last step, or with `toDeclared` every step, and freezes it (`learn.reverted`).
   * @throws NotFoundError for an unknown agent or a parameter that is not tunable; InvalidEventError for a bad principal or reason.
   */
  async change(agentId: string, command: ParameterChange): Promise<ParameterState> {
    const { entry, c } = await this.#command(agentId, command);
    const who = by(c.by);
    if (c.action === 'freeze') await entry.tuner.freeze(c.parameter, who, c.why);
    else if (c.action === 'unfreeze') await entry.tuner.unfreeze(c.parameter, who, c.why);
    else
      await entry.tuner.revert(c.parameter, who, {
        why: c.why,
        ...(c.toDeclared === true ? { toDeclared: true } : {}),
      });
    return entry.tuner.state().find((p) => p.key === c.parameter)!;
  }

  async #command(agentId: string, command: ParameterChange): Promise<{ entry: Entry; c: ParameterChange }> {
    checkInput(principalSchema, command.by, 'principal');
    checkInput(reasonSchema, command.why, 'tuning reason');
    const entry = await this.#entry(await this.#host(agentId));
    if (entry?.tuner.state().some((p) => p.key === command.parameter && p.tunable !== undefined) !== true)
      throw new NotFoundError('rule parameter', `${agentId}/${command.parameter}`);
    return { entry, c: command };
  }

  async #host(agentId: string): Promise<AgentHost> {
    const host = await this.#d.agent(agentId);
    if (host === undefined) throw new NotFoundError('agent', agentId);
    return host;
  }

  /** The agent's tuner, made (and restored from the audit trail) on first use or after its decider changed (rollback). */
  #entry(host: AgentHost): Promise<Entry | undefined> {
    const decider = host.def.decide.tunable;
    // Most agents have no tunable rules: nothing kept for them, nothing awaited per cycle beyond this.
    if (decider === undefined) return Promise.resolve(undefined);
    const known = this.#entries.get(host.id);
    if (known !== undefined && known.decider === decider) return known.ready;
    const ready = !decider.parameters().some((p) => p.tunable !== undefined)
      ? Promise.resolve(undefined)
      : (async () => {
          const entry = this.#make(host, decider);
          await restoreTuning({ store: this.#d.store, alert: (a) => this.#d.alert(a) }, { host, tuner: entry.tuner });
          return entry;
        })();
    // A failed restore (the store unreachable) is tried again next time rather than remembered.
    ready.catch(() => {
      if (this.#entries.get(host.id)?.ready === ready) this.#entries.delete(host.id);
    });
    this.#entries.set(host.id, { decider, ready });
    return ready;
  }

  #make(host: AgentHost, decider: TunableDecider): Entry {
    const d = this.#d;
    const t = host.def.tuning;
    const recent: Observed[] = [];
    const tuner = new ParameterTuner({
      agentId: host.id,
      decider,
      periodMs: t?.period ?? DEFAULT_PERIOD,
      clock: d.clock,
      ...(t?.minSamples === undefined ? {} : { minSamples: t.minSamples }),
      ...(t?.objective === undefined ? {} : { objective: t.objective }),
      observations: async (parameter) => {
        const rows: Observed[] =
          d.store?.queryOutcomes === undefined
            ? recent
            : (await d.store.queryOutcomes({ agentId: host.id, statuses: ['succeeded', 'failed'], limit: WINDOW })).map(
                (r) => ({
                  params: r.params,
                  succeeded: r.succeeded,
                  ...(r.fees === null ? {} : { fees: Number(r.fees.value) }),
                  ...(r.slippageBps === null ? {} : { slippageBps: r.slippageBps }),
                }),
              );
        return rows.flatMap((r) => {
          const value = r.params[parameter];
          if (value === undefined) return [];
          const o: TuningObservation = { value, succeeded: r.succeeded };
          if (r.fees !== undefined && Number.isFinite(r.fees)) o.fees = r.fees;
          if (r.slippageBps !== undefined) o.slippageBps = r.slippageBps;
          return [o];
        });
      },
      audit: (event) => d.audit(auditOf(host, event, d.clock.now())),
    });
    return { tuner, recent };
  }
}

const executed = (o: Outcome): boolean => o.status === 'succeeded' || o.status === 'failed';

function observed(o: Outcome): Omit<Observed, 'params'> {
  const out: Omit<Observed, 'params'> = { succeeded: o.status === 'succeeded' };
  if (o.fees !== undefined) out.fees = Number(o.fees.value);
  if (o.slippageBps !== undefined) out.slippageBps = o.slippageBps;
  return out;
}

/** A principal as the tuner's `by` string (`human:alice`); the learner itself is `learner`. */
const by = (p: Principal): string => `${p.kind}:${p.id}`;

/** The audit entry of a tuning event: the learner acts as the agent, an operator as themself. */
function auditOf(host: AgentHost, e: TuningEvent, at: number): AuditInput {
  const colon = e.by.indexOf(':');
  const who: Principal =
    e.by === 'learner' || colon < 0
      ? { kind: 'agent', id: host.identity.did }
      : { kind: e.by.slice(0, colon) as Principal['kind'], id: e.by.slice(colon + 1) };
  return {
    who,
    action: e.action,
    subject: `${host.id}/${e.parameter}`,
    where: host.def.group,
    why: e.why,
    data: {
      agentId: host.id,
      parameter: e.parameter,
      before: e.before,
      after: e.after,
      ...(e.evidence === undefined ? {} : { evidence: e.evidence }),
      ...(e.toDeclared === undefined ? {} : { toDeclared: e.toDeclared }),
    },
    at,
  };
}
