import { z } from 'zod';
import type { Principal } from '../../machines/index.ts';
import type { AgentHost, AlertSeverity } from '../host/AgentHost.ts';
import type { AuditInput, KillSwitchState, RuntimeStore } from '../persistence/RuntimeStore.ts';
import { KillScopes, type KillScope, type KillTarget } from './KillScopes.ts';
import { checkInput, principalSchema, reasonSchema } from './checkInput.ts';
import type { RetractedItem, Retractor } from './Retraction.ts';
import { ErrorCode } from '../../kernel/index.ts';

const scopeSchema = z
  .object({
    all: z.boolean().optional(),
    agents: z.array(z.string().min(1).max(200)).max(10_000).optional(),
    groups: z.array(z.string().min(1).max(200)).max(10_000).optional(),
    capabilities: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  })
  .strict()
  .refine(
    (s) => s.all === true || (s.agents?.length ?? 0) + (s.groups?.length ?? 0) + (s.capabilities?.length ?? 0) > 0,
    'name "all: true" or at least one agent, group or capability',
  );

/** Carries kill switch orders to the other nodes (the messaging layer sets it). */
export type KillSwitchBroadcast = (
  action: 'engage' | 'release',
  scope: KillScope,
  by: string,
  reason: string,
) => Promise<void>;

/** What the kill switch service needs. */
export interface KillSwitchDeps {
  nodeId: string;
  clock: { now(): number };
  store: RuntimeStore | undefined;
  audit(entry: AuditInput): Promise<void>;
  alert(severity: AlertSeverity, code: ErrorCode, message: string, actorId?: string): void;
  /** The agents it stops and releases. */
  agents(): Iterable<AgentHost>;
  /** Looks up an agent for the rails' view. */
  agent(id: string): AgentHost | undefined;
}

/**
 * The kill switch: engage or release for all agents, or some agents, groups (sandboxes) or
 * capabilities. It stops new cycles at once, is asked again right before every effect and by
 * the rails and signers where keys sign, is persisted (it survives restarts), audited, and sent
 * to every other node.
 */
export class KillSwitch {
  readonly #scopes = new KillScopes();
  readonly #deps: KillSwitchDeps;
  #broadcast: KillSwitchBroadcast | undefined;
  readonly #retractors = new Map<string, Retractor>();

  constructor(deps: KillSwitchDeps) {
    this.#deps = deps;
  }

  /** Registers what engaging takes back (see {@link Retractor}); one per name. */
  addRetractor(name: string, retractor: Retractor): void {
    this.#retractors.set(name, retractor);
  }

  /** Sets (or clears) where orders go to other nodes. */
  broadcastWith(broadcast: KillSwitchBroadcast | undefined): void {
    this.#broadcast = broadcast;
  }

  /** The current state (a copy). */
  state(): KillSwitchState {
    return this.#scopes.state();
  }

  /** Restores the persisted state at start. */
  restore(state: KillSwitchState): void {
    this.#scopes.restore(state);
  }

  /** Whether the switch covers this agent. */
  covers(target: KillTarget): boolean {
    return this.#scopes.covers(target);
  }

  /**
   * Engages the switch here and, unless `local` (the order came from another node), on every
   * node. The whole input is validated before anything changes.
   */
  async engage(scope: KillScope, by: Principal, why: string, options: { local?: boolean } = {}): Promise<void> {
    const s = checkInput(scopeSchema, scope, 'kill switch scope');
    checkInput(principalSchema, by, 'principal');
    checkInput(reasonSchema, why, 'kill switch reason');
    const d = this.#deps;
    this.#scopes.engage(s); // in memory first: the act path refuses from this instant
    await d.store?.saveKillSwitch(this.#scopes.state());
    for (const h of d.agents())
      if (this.#scopes.covers(h.target) && h.state !== 'stopped' && h.state !== 'failed')
        h.deliver({ type: 'agent.kill' });
    await d.audit({
      who: by,
      action: 'operator.killswitch.engage',
      subject: 'kill-switch',
      where: d.nodeId,
      why,
      data: { scope: s, state: this.#scopes.state() },
      at: d.clock.now(),
    });
    d.alert('critical', ErrorCode.MANDATE_ERR_KILL_SWITCH, `kill switch engaged by ${by.id}: ${why}`);
    await this.#retract(by, why);
    if (options.local !== true) await this.#broadcast?.('engage', s, by.id, why);
  }

  /** Releases the switch for `scope` here and (unless `local`) on every node. */
  async release(scope: KillScope, by: Principal, why: string, options: { local?: boolean } = {}): Promise<void> {
    const s = checkInput(scopeSchema, scope, 'kill switch scope');
    checkInput(principalSchema, by, 'principal');
    checkInput(reasonSchema, why, 'kill switch reason');
    const d = this.#deps;
    this.#scopes.release(s);
    await d.store?.saveKillSwitch(this.#scopes.state());
    for (const h of d.agents())
      if (h.state === 'killed' && !this.#scopes.covers(h.target)) h.deliver({ type: 'agent.release' });
    await d.audit({
      who: by,
      action: 'operator.killswitch.release',
      subject: 'kill-switch',
      where: d.nodeId,
      why,
      data: { scope: s, state: this.#scopes.state() },
      at: d.clock.now(),
    });
    d.alert('warning', ErrorCode.MANDATE_KILL_SWITCH_RELEASED, `kill switch released by ${by.id}: ${why}`);
    if (options.local !== true) await this.#broadcast?.('release', s, by.id, why);
  }

  /** Runs every retractor for the agents now covered and audits each item it reports. */
  async #retract(by: Principal, why: string): Promise<void> {
    const covers = (agentId: string) => this.railView().isEngaged(agentId, []);
    for (const [name, retractor] of this.#retractors) {
      let items: RetractedItem[];
      try {
        items = await retractor(covers);
      } catch (error) {
        this.#deps.alert(
          'critical',
          ErrorCode.MANDATE_ERR_KILL_SWITCH_RETRACT,
          `retraction "${name}" failed: ${(error as Error).message}`,
        );
        continue;
      }
      for (const item of items) {
        await this.#deps.audit({
          who: by,
          action: `operator.killswitch.retracted`,
          subject: item.id,
          where: this.#deps.nodeId,
          why,
          data: { ...item, retractor: name },
          at: this.#deps.clock.now(),
        });
        if (item.status === 'failed')
          this.#deps.alert(
            'critical',
            ErrorCode.MANDATE_ERR_KILL_SWITCH_RETRACT,
            `${item.kind} ${item.id} of ${item.agentId}: ${item.detail}`,
            item.agentId,
          );
      }
    }
  }

  /**
   * The switch as rails and signers ask it, right where keys sign: `isEngaged(agentId,
   * capabilities)` covers the agent, its group, its own capabilities and the ones the signing
   * step names (`payments.crypto.send`, …).
   */
  railView(): { isEngaged(agentId: string, capabilities: string[]): boolean } {
    return {
      isEngaged: (agentId, capabilities) => {
        const host = this.#deps.agent(agentId);
        return this.#scopes.covers({
          id: agentId,
          group: host?.def.group ?? '',
          capabilities: [...(host?.def.capabilities ?? []), ...capabilities],
        });
      },
    };
  }
}
