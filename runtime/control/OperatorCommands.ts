import { z } from 'zod';
import type { Principal } from '../../machines/index.ts';
import { externalEventSchema } from '../agents/externalEventSchema.ts';
import { StateConflictError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import type { Dormancy, Triggers } from '../scheduler/Triggers.ts';
import type { SupervisionTree } from '../supervision/SupervisionTree.ts';
import { checkInput, objectInputSchema, principalSchema, reasonSchema } from './checkInput.ts';
import type { GateBoard } from './GateBoard.ts';

/** Opening or closing a dependency gate: which gate, open or closed, by whom and why. */
export interface GateChange {
  name: string;
  open: boolean;
  by: Principal;
  why: string;
}

/** What operator commands need. */
export interface OperatorCommandsDeps {
  nodeId: string;
  clock: { now(): number };
  tree: Pick<SupervisionTree, 'require' | 'release' | 'get'>;
  triggers: Pick<Triggers, 'fire' | 'fireAt' | 'unwire'>;
  /** Passivated agents: a command to one reactivates it first. */
  dormant?: Dormancy;
  gates: GateBoard;
  audit(entry: AuditInput): Promise<void>;
}

/**
 * What operators (and peers, through the gateway and messaging) may do to an agent: pause,
 * resume, retry now, stop for good, trigger a cycle, send a validated event, open or close a
 * gate. Every input is validated before anything changes, and every override lands in the
 * audit trail with who and why before it is applied. A passivated agent is reactivated first, so a
 * pause or a stop is applied to its restored state and persisted with its next snapshot.
 */
export class OperatorCommands {
  readonly #deps: OperatorCommandsDeps;
  /** Each agent's commands run one after another (check, audit, apply), never interleaved. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(deps: OperatorCommandsDeps) {
    this.#deps = deps;
  }

  /** Pauses an agent (an act or learn in flight finishes first). */
  pause(agentId: string, by: Principal, why: string): Promise<void> {
    return this.#command(agentId, { action: 'pause', by, why }, (h) => {
      if (h.state === 'killed' || h.state === 'stopped' || h.state === 'failed')
        throw new StateConflictError(
          `Agent "${agentId}" is ${h.state}; it cannot be paused (a killed, stopped or failed agent does not run).`,
          { agentId, state: h.state },
        );
      return () => h.deliver({ type: 'agent.pause' });
    });
  }

  /** Resumes a paused agent. */
  resume(agentId: string, by: Principal, why: string): Promise<void> {
    return this.#command(agentId, { action: 'resume', by, why }, (h) => {
      if (h.state !== 'paused')
        throw new StateConflictError(
          `Agent "${agentId}" is ${h.state}, not paused; only a paused agent can be resumed.`,
          { agentId, state: h.state },
        );
      return () => h.deliver({ type: 'agent.resume' });
    });
  }

  /** Retries a phase now instead of waiting for the backoff (the agent must be retrying). */
  retry(agentId: string, by: Principal, why: string): Promise<void> {
    return this.#command(agentId, { action: 'retry', by, why }, (h) => {
      if (h.state !== 'retrying')
        throw new StateConflictError(
          `Agent "${agentId}" is ${h.state}, not retrying; retry applies while it waits to retry a failed phase.`,
          { agentId, state: h.state },
        );
      return () => h.deliver({ type: 'agent.retry' });
    });
  }

  /** Terminates an agent for good (it is taken out of supervision first, so it is not restarted). */
  stop(agentId: string, by: Principal, why: string): Promise<void> {
    return this.#command(agentId, { action: 'stop', by, why }, (h) => {
      if (h.state === 'stopped')
        throw new StateConflictError(`Agent "${agentId}" is already stopped; spawn it again to run it.`, {
          agentId,
          state: h.state,
        });
      return () => {
        this.#deps.tree.release(agentId);
        this.#deps.triggers.unwire(agentId);
        h.deliver({ type: 'agent.stop', reason: why });
      };
    });
  }

  /** A user-initiated cycle. Returns whether it started (the agent must be idle, gates open). */
  async trigger(agentId: string, by: Principal, data?: Record<string, unknown>): Promise<boolean> {
    const d = this.#deps;
    const h =
      d.tree.get(agentId) ?? (d.dormant?.definition(agentId) === undefined ? d.tree.require(agentId) : undefined);
    checkInput(principalSchema, by, 'principal');
    if (data !== undefined) checkInput(objectInputSchema, data, 'trigger data');
    const base = { kind: 'user' as const, name: `${by.kind}:${by.id}`, at: d.clock.now() };
    const trigger = data === undefined ? base : { ...base, data };
    // A passivated agent is reactivated only when the trigger could start a cycle (not killed, gates open).
    return h === undefined ? d.triggers.fireAt(agentId, trigger) : d.triggers.fire(h, trigger);
  }

  /**
   * Sends an event from outside (a peer's message, a tool) after validating its shape; a
   * malformed event is refused with `MANDATE_ERR_EVENT_INVALID` naming the field, and the agent
   * is not touched. Returns whether the event was taken (a trigger: whether a cycle started).
   */
  send(agentId: string, event: unknown): boolean | Promise<boolean> {
    const d = this.#deps;
    if (d.tree.get(agentId) === undefined && d.dormant?.definition(agentId) === undefined) d.tree.require(agentId);
    const e = checkInput(externalEventSchema, event, 'event');
    if (e.type === 'agent.trigger') return d.triggers.fireAt(agentId, e.trigger);
    const h = d.tree.get(agentId);
    if (h !== undefined) {
      h.deliver(e);
      return true;
    }
    return this.#agent(agentId).then((woken) => {
      woken.deliver(e);
      return true;
    });
  }

  /** Opens or closes a dependency gate (an operator's pre-check, or an agent's `gate.set` effect), audited. */
  async setGate({ name, open, by, why }: GateChange): Promise<void> {
    checkInput(z.string().min(1).max(200), name, 'gate name');
    checkInput(z.boolean(), open, 'gate state');
    checkInput(principalSchema, by, 'principal');
    checkInput(z.string().max(2000), why, 'gate reason');
    const d = this.#deps;
    const at = d.clock.now();
    await d.audit({
      who: by,
      action: `${by.kind === 'agent' ? 'agent' : 'operator'}.gate.${open ? 'open' : 'close'}`,
      subject: name,
      where: d.nodeId,
      why,
      data: {},
      at,
    });
    d.gates.set({ name, open, reason: why, by, at });
  }

  /** The agent's host, reactivated when it is passivated; `MANDATE_ERR_NOT_FOUND` when it is neither. */
  async #agent(agentId: string): Promise<AgentHost> {
    return (
      this.#deps.tree.get(agentId) ?? (await this.#deps.dormant?.wake(agentId)) ?? this.#deps.tree.require(agentId)
    );
  }

  /**
   * One override, write-ahead: the whole input is validated before anything happens (not even a
   * passivated agent is woken for a bad one); then, one command per agent at a time, the state is
   * checked, the override audited, and only then applied (its transitions are what the inspection
   * stream broadcasts). So a concurrent stop and pause are audited in the order they take effect.
   */
  async #command(
    agentId: string,
    { action, by, why }: { action: string; by: Principal; why: string },
    check: (host: AgentHost) => () => void,
  ): Promise<void> {
    checkInput(principalSchema, by, 'principal');
    checkInput(reasonSchema, why, `${action} reason`);
    const run = (this.#queues.get(agentId) ?? Promise.resolve()).then(async () => {
      const host = await this.#agent(agentId);
      const apply = check(host);
      await this.#deps.audit({
        who: by,
        action: `operator.${action}`,
        subject: host.id,
        where: host.parent.id,
        why,
        data: { agentId: host.id, state: host.state },
        at: this.#deps.clock.now(),
      });
      apply();
    });
    const tail = run.catch(() => undefined);
    this.#queues.set(agentId, tail);
    void tail.then(() => {
      if (this.#queues.get(agentId) === tail) this.#queues.delete(agentId);
    });
    await run;
  }
}
