import { z } from 'zod';
import type { Principal } from '../machines/index.ts';
import { InvalidEventError } from '../machines/errors.ts';
import type { AgentHost } from './host/AgentHost.ts';
import type { SupervisorHost } from './host/SupervisorHost.ts';
import { NotFoundError, StateConflictError } from './errors.ts';
import type { ApprovalRecord, InspectionEvent } from './inspection/InspectionEvent.ts';
import type { KillScope } from './KillSwitch.ts';
import { machineGraph } from './machineGraph.ts';
import type { AgentDetail, AgentSummary, MandateRuntime, RuntimeMetrics, TaskResult, TreeNode } from './MandateRuntime.ts';
import type { KillSwitchState } from './persistence/RuntimeStore.ts';
import { RuntimeBase, type RuntimeOptions } from './Runtime.ts';
import { fireTrigger } from './scheduler/wireTriggers.ts';
import { externalEventSchema } from './agents/externalEventSchema.ts';

const principalSchema = z.object({ kind: z.enum(['agent', 'human', 'system']), id: z.string().min(1).max(200) }).strict();
const scopeSchema = z
  .object({
    all: z.boolean().optional(),
    agents: z.array(z.string().min(1)).optional(),
    groups: z.array(z.string().min(1)).optional(),
    capabilities: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((s) => s.all === true || (s.agents?.length ?? 0) + (s.groups?.length ?? 0) + (s.capabilities?.length ?? 0) > 0, 'name "all: true" or at least one agent, group or capability');

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new InvalidEventError(`Invalid ${what}: "${issue.path.join('.') || what}" ${issue.message}.`, { details: { field: issue.path.join('.') } });
}

/**
 * The runtime with its operator surface: what the CLI, the gateway, the MCP
 * server and peers call. Every override is validated, applied, and lands in
 * the audit trail with who and why.
 *
 * @example
 * const runtime = await createRuntime({ store });
 * runtime.spawn(defineAgent({ ... }));
 * await runtime.pause('payables', { kind: 'human', id: 'alice' }, 'month-end freeze');
 */
export class MandateRuntimeImpl extends RuntimeBase implements MandateRuntime {
  #started = false;

  /** Opens the store and restores the kill switch, identities, snapshots and pending approvals. Call before spawning. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const store = this.store;
    if (store === undefined) return;
    await store.open();
    const ks = await store.loadKillSwitch();
    if (ks !== undefined) this.killSwitch.restore(ks);
    for (const row of await store.listAgents()) this.seeds.set(row.id, new Uint8Array(Buffer.from(row.identitySeed, 'base64url')));
    for (const row of await store.loadSnapshots()) this.restored.set(row.agentId, row);
    for (const record of await store.listApprovals('pending')) this.approvals.restore(record, undefined);
  }

  /** Persists the agent's definition and identity and attaches it to the message bus when one is connected. */
  async register(host: AgentHost): Promise<void> {
    await this.messaging?.attach(host);
    if (this.store === undefined) return;
    const { perceive: _p, decide: _d, act, learn: _l, ...data } = host.def;
    await this.store.upsertAgent({
      id: host.id,
      did: host.identity.did,
      version: host.def.version,
      supervisorId: host.parent.id,
      definition: { ...data, act: act?.name ?? null } as Record<string, unknown>,
      identitySeed: Buffer.from(host.seed).toString('base64url'),
    });
    await this.audit({ who: { kind: 'system', id: this.nodeId }, action: 'config.agent.registered', subject: host.id, where: host.parent.id, why: `version ${host.def.version}`, data: { agentId: host.id, capabilities: host.def.capabilities, did: host.identity.did }, at: this.clock.now() });
  }

  /** Stops schedules and actors, flushes pending writes and closes the store. */
  async shutdown(): Promise<void> {
    this.scheduler.stop();
    this.watchdog.stop();
    this.approvals.close();
    await this.flush();
    this.governance.halt();
    await this.store?.close();
  }

  #agent(id: string): AgentHost {
    const host = this.agents.get(id);
    if (host === undefined) throw new NotFoundError('agent', id);
    return host;
  }

  #summary(h: AgentHost): AgentSummary {
    const ctx = h.context;
    return {
      id: h.id,
      did: h.identity.did,
      capabilities: [...h.def.capabilities],
      state: h.state,
      parentId: h.parent.id,
      group: h.def.group,
      reputation: this.reputationPolicy.score(h.id),
      mode: this.modeFor(h.def),
      paused: h.state === 'paused' || ctx.pauseRequested,
      killed: h.state === 'killed',
      cycle: ctx.cycle,
    };
  }

  listAgents(): AgentSummary[] {
    return [...this.agents.values()].map((h) => this.#summary(h));
  }

  getAgent(id: string): AgentDetail | undefined {
    const h = this.agents.get(id);
    if (h === undefined) return undefined;
    const { limits: _l, ...context } = h.context;
    return { ...this.#summary(h), context: context as unknown as Record<string, unknown>, machine: machineGraph(h.actor.logic as never), recent: this.recentTransitions(id).slice(-50) };
  }

  tree(): TreeNode {
    const node = (s: SupervisorHost): TreeNode => ({
      id: s.id,
      kind: 'supervisor',
      role: s.spec.role,
      state: s.lastState,
      children: [...s.children.values()].map((c) => ('spec' in c ? node(c) : { id: c.id, kind: 'agent' as const, state: c.state, children: [] })),
    });
    return node(this.governance);
  }

  async #override(host: AgentHost, by: Principal, why: string, action: string): Promise<void> {
    check(principalSchema, by, 'principal');
    await this.audit({ who: by, action: `operator.${action}`, subject: host.id, where: host.parent.id, why, data: { agentId: host.id, state: host.state }, at: this.clock.now() });
  }

  async pause(agentId: string, by: Principal, why: string): Promise<void> {
    const h = this.#agent(agentId);
    if (h.state === 'killed' || h.state === 'stopped' || h.state === 'failed') throw new StateConflictError(`Agent "${agentId}" is ${h.state}; it cannot be paused.`, { agentId, state: h.state });
    await this.#override(h, by, why, 'pause');
    h.deliver({ type: 'agent.pause' });
  }

  async resume(agentId: string, by: Principal, why: string): Promise<void> {
    const h = this.#agent(agentId);
    if (h.state !== 'paused') throw new StateConflictError(`Agent "${agentId}" is ${h.state}, not paused.`, { agentId, state: h.state });
    await this.#override(h, by, why, 'resume');
    h.deliver({ type: 'agent.resume' });
  }

  /** Retries a phase now instead of waiting for the backoff (the agent must be retrying). */
  async retry(agentId: string, by: Principal, why: string): Promise<void> {
    const h = this.#agent(agentId);
    if (h.state !== 'retrying') throw new StateConflictError(`Agent "${agentId}" is ${h.state}, not retrying.`, { agentId, state: h.state });
    await this.#override(h, by, why, 'retry');
    h.deliver({ type: 'agent.retry' });
  }

  /** Opens or closes a dependency gate by hand (an operator's pre-check or approval). */
  async setGate(name: string, open: boolean, by: Principal, why: string): Promise<void> {
    check(z.string().min(1).max(200), name, 'gate name');
    check(principalSchema, by, 'principal');
    this.gates.set({ name, open, reason: why, by, at: this.clock.now() });
    await this.audit({ who: by, action: open ? 'operator.gate.open' : 'operator.gate.close', subject: name, where: this.nodeId, why, data: {}, at: this.clock.now() });
  }

  /** Terminates an agent for good (it is taken out of supervision first, so it is not restarted). */
  async stop(agentId: string, by: Principal, why: string): Promise<void> {
    const h = this.#agent(agentId);
    if (h.state === 'stopped') throw new StateConflictError(`Agent "${agentId}" is already stopped.`, { agentId, state: h.state });
    await this.#override(h, by, why, 'stop');
    h.parent.children.delete(agentId);
    this.scheduler.remove(agentId);
    this.facts.unwatch(agentId);
    h.deliver({ type: 'agent.stop', reason: why });
  }

  /**
   * Sends an event from outside (a peer's message, a tool) to an agent after
   * validating its shape; a malformed event is refused with
   * `MANDATE_ERR_EVENT_INVALID` naming the field, and the agent is not touched.
   */
  send(agentId: string, event: unknown): boolean {
    const h = this.#agent(agentId);
    const e = check(externalEventSchema, event, 'event');
    if (e.type === 'agent.trigger') return fireTrigger(this, h, e.trigger);
    h.deliver(e);
    return true;
  }

  /** Set by the messaging layer: carries kill switch orders to the other nodes and counts messages. */
  messaging: { broadcastControl(action: 'engage' | 'release', scope: KillScope, by: string, reason: string): Promise<void>; attach(host: AgentHost): Promise<unknown>; counters: { sent: number; received: number; rejected: number } } | undefined;

  /** A user-initiated trigger. Returns whether a cycle started (the agent must be idle, gates open). */
  async trigger(agentId: string, by: Principal, data?: Record<string, unknown>): Promise<boolean> {
    const h = this.#agent(agentId);
    check(principalSchema, by, 'principal');
    const trigger = { kind: 'user' as const, name: `${by.kind}:${by.id}`, at: this.clock.now() };
    return fireTrigger(this, h, data === undefined ? trigger : { ...trigger, data });
  }

  /** Engages the kill switch here and (unless `local`, i.e. the order came from another node) on every node. */
  async engageKillSwitch(scope: KillScope, by: Principal, why: string, options: { local?: boolean } = {}): Promise<void> {
    const s = check(scopeSchema, scope, 'kill switch scope');
    check(principalSchema, by, 'principal');
    this.killSwitch.engage(s); // in memory first: the act path refuses from this instant
    await this.store?.saveKillSwitch(this.killSwitch.state());
    for (const h of this.agents.values()) if (this.killSwitch.covers(h.target) && h.state !== 'stopped' && h.state !== 'failed') h.deliver({ type: 'agent.kill' });
    await this.audit({ who: by, action: 'operator.killswitch.engage', subject: 'kill-switch', where: this.nodeId, why, data: { scope: s, state: this.killSwitch.state() }, at: this.clock.now() });
    this.alert('critical', 'MANDATE_ERR_KILL_SWITCH', `kill switch engaged by ${by.id}: ${why}`);
    if (options.local !== true) await this.messaging?.broadcastControl('engage', s, by.id, why);
  }

  async releaseKillSwitch(scope: KillScope, by: Principal, why: string, options: { local?: boolean } = {}): Promise<void> {
    const s = check(scopeSchema, scope, 'kill switch scope');
    check(principalSchema, by, 'principal');
    this.killSwitch.release(s);
    await this.store?.saveKillSwitch(this.killSwitch.state());
    for (const h of this.agents.values()) if (h.state === 'killed' && !this.killSwitch.covers(h.target)) h.deliver({ type: 'agent.release' });
    await this.audit({ who: by, action: 'operator.killswitch.release', subject: 'kill-switch', where: this.nodeId, why, data: { scope: s, state: this.killSwitch.state() }, at: this.clock.now() });
    this.alert('warning', 'MANDATE_KILL_SWITCH_RELEASED', `kill switch released by ${by.id}: ${why}`);
    if (options.local !== true) await this.messaging?.broadcastControl('release', s, by.id, why);
  }

  /**
   * The kill switch as the rails and signers ask it, right where keys sign:
   * `isEngaged(agentId, capabilities)` covers the agent, its group, its own
   * capabilities and the ones the signing step names (`payments.crypto.send`, …).
   */
  railKillSwitch(): { isEngaged(agentId: string, capabilities: string[]): boolean } {
    return {
      isEngaged: (agentId, capabilities) => {
        const host = this.agents.get(agentId);
        return this.killSwitch.covers({ id: agentId, group: host?.def.group ?? '', capabilities: [...(host?.def.capabilities ?? []), ...capabilities] });
      },
    };
  }

  killSwitchState(): KillSwitchState {
    return this.killSwitch.state();
  }

  listApprovals(status?: ApprovalRecord['status']): ApprovalRecord[] {
    return this.approvals.list(status);
  }

  async approve(approvalId: string, by: Principal, reason?: string): Promise<void> {
    check(principalSchema, by, 'principal');
    const record = this.approvals.get(approvalId);
    if (record.status !== 'pending') throw new StateConflictError(`Approval "${approvalId}" is already ${record.status}.`, { approvalId, status: record.status });
    const host = this.#agent(record.agentId);
    // Still in propose: the approval was opened for this decision and the agent is about to wait for it.
    const waiting = host.state === 'awaitingApproval' && host.context.verdict?.approvalId === approvalId;
    const arriving = host.state === 'propose' && host.context.decision?.id === record.decisionId;
    if (!waiting && !arriving) {
      throw new StateConflictError(`Agent "${record.agentId}" is ${host.state} and no longer waits for "${approvalId}".`, { approvalId, state: host.state });
    }
    // The budget may have been used while the approval waited: reserve it now, or refuse.
    const reserved = this.governancePolicy.reserve(this.approvals.proposal(approvalId) ?? host.proposal(host.context), `approved by ${by.id}`);
    if (reserved.status !== 'approved') return this.reject(approvalId, { kind: 'system', id: 'governance' }, reserved.reason);
    const decided = this.approvals.decide(approvalId, 'approved', by, reason);
    await this.store?.saveApproval(decided);
    await this.audit({ who: by, action: 'approval.granted', subject: approvalId, where: host.def.group, why: reason ?? 'approved', data: { agentId: host.id, action: record.action }, at: this.clock.now() });
    this.inspection.publish({ type: 'approval', approval: decided, at: this.clock.now() });
    host.deliver({ type: 'governance.approval.granted', approvalId, by, at: this.clock.now() });
  }

  async reject(approvalId: string, by: Principal, reason: string): Promise<void> {
    check(principalSchema, by, 'principal');
    check(z.string().min(1).max(2000), reason, 'rejection reason');
    const decided = this.approvals.decide(approvalId, 'rejected', by, reason);
    await this.store?.saveApproval(decided);
    await this.audit({ who: by, action: 'approval.rejected', subject: approvalId, where: decided.agentId, why: reason, data: { agentId: decided.agentId, action: decided.action }, at: this.clock.now() });
    this.inspection.publish({ type: 'approval', approval: decided, at: this.clock.now() });
    this.agents.get(decided.agentId)?.deliver({ type: 'governance.approval.rejected', approvalId, by, reason, at: this.clock.now() });
  }

  async submitTask(capability: string, input: Record<string, unknown>, by: Principal): Promise<TaskResult> {
    check(principalSchema, by, 'principal');
    check(z.record(z.string(), z.unknown()), input, 'task input');
    const holders = [...this.agents.values()].filter((h) => h.def.capabilities.includes(capability));
    if (holders.length === 0) throw new NotFoundError('capability', capability);
    const host = holders.find((h) => this.canStart(h) && this.gates.firstClosed(h.def.dependsOn) === undefined);
    if (host === undefined) throw new StateConflictError(`No agent holding "${capability}" can start a cycle now (busy, paused, killed or gated); retry later.`, { capability });
    const cycle = host.context.cycle + 1;
    const done = new Promise<TaskResult>((resolve) => {
      (host.waiters ??= []).push({
        cycle,
        resolve: (ctx) =>
          resolve({
            decisionId: ctx.decision?.id ?? '',
            agentId: host.id,
            verdict: ctx.verdict === null ? null : { status: ctx.verdict.status, by: ctx.verdict.by, reason: ctx.verdict.reason },
            outcome: ctx.outcome,
          }),
      });
    });
    await this.audit({ who: by, action: 'task.submitted', subject: host.id, where: capability, why: 'task submitted', data: { input }, at: this.clock.now() });
    fireTrigger(this, host, { kind: 'user', name: `${by.kind}:${by.id}`, at: this.clock.now(), data: input });
    return done;
  }

  subscribe(listener: (event: InspectionEvent) => void): () => void {
    return this.inspection.subscribe(listener);
  }

  metrics(): RuntimeMetrics {
    return {
      agents: [...this.agents.values()].map((h) => ({ id: h.id, cycles: h.cycles, failures: h.failures, restarts: h.restarts, state: h.state })),
      approvalsPending: this.approvals.pending,
      payments: { ...this.outcomes },
      messages: { ...(this.messaging?.counters ?? { sent: 0, received: 0, rejected: 0 }) },
    };
  }

  capabilities(): Array<{ name: string; description: string; agents: string[] }> {
    const out = new Map<string, string[]>();
    for (const h of this.agents.values()) for (const c of h.def.capabilities) out.set(c, [...(out.get(c) ?? []), h.id]);
    return [...out].map(([name, agents]) => ({ name, description: this.options.capabilityCatalog?.get(name) ?? '', agents }));
  }
}

/** Creates and starts a runtime (opening its store and restoring state when it has one). */
export async function createRuntime(options: RuntimeOptions = {}): Promise<MandateRuntimeImpl> {
  const runtime = new MandateRuntimeImpl(options);
  await runtime.start();
  return runtime;
}
