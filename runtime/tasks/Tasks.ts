import type { AgentContext, Principal } from '../../machines/index.ts';
import { checkInput, objectInputSchema, principalSchema } from '../control/checkInput.ts';
import { NotFoundError, StateConflictError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { TaskResult } from '../MandateRuntime.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import type { Dormancy, Triggers } from '../scheduler/Triggers.ts';

/** One cycle to run on a given agent: its trigger's data is `input`, submitted by `by` for `capability`. */
export interface TaskSubmission {
  host: AgentHost;
  capability: string;
  input: Record<string, unknown>;
  by: Principal;
  /** The W3C `traceparent` of the remote span that asked (a peer's request, an award): the cycle continues its trace. */
  traceparent?: string;
}

/** What tasks need. */
export interface TasksDeps {
  clock: { now(): number };
  agents(): Iterable<AgentHost>;
  triggers: Pick<Triggers, 'fire' | 'canStart' | 'canWake'>;
  /** Passivated agents: one holding the capability is reactivated when no agent in memory can take the task. */
  dormant?: Dormancy & { definitions(): Iterable<AgentDefinition> };
  audit(entry: AuditInput): Promise<void>;
}

/** States in which a cycle is over (or cannot go on), so a task waiting for it can be answered. */
const SETTLED: ReadonlySet<string> = new Set(['idle', 'paused', 'killed', 'stopped', 'failed']);

/**
 * Work submitted for a capability by an operator, an MCP client or a peer: one cycle of an
 * idle agent holding it, with the input as its trigger's data; the task resolves when that
 * cycle's learn phase is over, with the decision, verdict and outcome.
 */
export class Tasks {
  readonly #deps: TasksDeps;
  readonly #waiters = new Map<AgentHost, Array<{ cycle: number; resolve: (ctx: AgentContext) => void }>>();

  constructor(deps: TasksDeps) {
    this.#deps = deps;
  }

  /**
   * Submits a task; see the class comment. Refused (409) when no holder can start a cycle now. A peer's
   * request passes its `traceparent`, so the cycle continues the peer's trace.
   */
  async submit(task: Omit<TaskSubmission, 'host'>): Promise<TaskResult> {
    const { capability, input, by } = task;
    checkInput(principalSchema, by, 'principal');
    checkInput(objectInputSchema, input, 'task input');
    const holders = [...this.#deps.agents()].filter((h) => h.def.capabilities.includes(capability));
    const woken = holders.some((h) => this.#deps.triggers.canStart(h)) ? undefined : await this.#wakeHolder(capability);
    const host = holders.find((h) => this.#deps.triggers.canStart(h)) ?? woken?.host;
    if (host === undefined && holders.length === 0 && woken?.held !== true)
      throw new NotFoundError('capability', capability);
    if (host === undefined)
      throw new StateConflictError(
        `No agent holding "${capability}" can start a cycle now (busy, paused, killed or gated); retry later.`,
        { capability },
      );
    return this.submitTo({ ...task, host });
  }

  /**
   * Runs one cycle of `host` (which must be able to start now) with `input` as its trigger's data — the
   * same governed cycle as {@link Tasks.submit}; used for contract-net awards the agent itself won.
   */
  async submitTo({ host, capability, input, by, traceparent }: TaskSubmission): Promise<TaskResult> {
    if (!this.#deps.triggers.canStart(host))
      throw new StateConflictError(
        `Agent "${host.id}" cannot start a cycle now (busy, paused, killed or gated); retry later.`,
        {
          agentId: host.id,
        },
      );
    const done = this.waitForCycle(host, host.context.cycle + 1).then((ctx) => ({
      decisionId: ctx.decision?.id ?? '',
      agentId: host.id,
      verdict:
        ctx.verdict === null ? null : { status: ctx.verdict.status, by: ctx.verdict.by, reason: ctx.verdict.reason },
      outcome: ctx.outcome,
    }));
    await this.#deps.audit({
      who: by,
      action: 'task.submitted',
      subject: host.id,
      where: capability,
      why: 'task submitted',
      data: { input },
      at: this.#deps.clock.now(),
    });
    this.#deps.triggers.fire(host, {
      kind: 'user',
      name: `${by.kind}:${by.id}`,
      at: this.#deps.clock.now(),
      data: input,
      ...(traceparent === undefined ? {} : { traceparent }),
    });
    return done;
  }

  /** Reactivates a passivated holder of `capability` that could start a cycle (not killed, gates open), if any. */
  async #wakeHolder(capability: string): Promise<{ host?: AgentHost; held: boolean } | undefined> {
    const d = this.#deps;
    if (d.dormant === undefined) return undefined;
    let held = false;
    for (const def of d.dormant.definitions()) {
      if (!def.capabilities.includes(capability)) continue;
      held = true;
      if (!d.triggers.canWake(def)) continue;
      const host = await d.dormant.wake(def.id);
      if (host !== undefined && d.triggers.canStart(host)) return { host, held };
    }
    return { held };
  }

  /** Resolves with the agent's context once its cycle number `cycle` is over. */
  waitForCycle(host: AgentHost, cycle: number): Promise<AgentContext> {
    return new Promise((resolve) => {
      const list = this.#waiters.get(host);
      if (list === undefined) this.#waiters.set(host, [{ cycle, resolve }]);
      else list.push({ cycle, resolve });
    });
  }

  /** Told of every agent transition: answers the tasks whose cycle is over. */
  onTransition(host: AgentHost, to: string): void {
    if (this.#waiters.size === 0 || !SETTLED.has(to)) return;
    const list = this.#waiters.get(host);
    if (list === undefined) return;
    const ctx = host.context;
    const ready = list.filter((w) => w.cycle <= ctx.cycle);
    const rest = list.filter((w) => w.cycle > ctx.cycle);
    if (rest.length === 0) this.#waiters.delete(host);
    else this.#waiters.set(host, rest);
    for (const w of ready) w.resolve(ctx);
  }
}
