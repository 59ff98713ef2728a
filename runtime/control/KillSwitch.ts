import { z } from 'zod';
import type { Principal } from '../../machines/index.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { AuditInput, KillSwitchState, RuntimeStore } from '../persistence/RuntimeStore.ts';
import { KillScopes, type KillScope, type KillTarget } from './KillScopes.ts';
import { checkInput, principalSchema, reasonSchema } from './checkInput.ts';
import type { RetractedItem, Retractor } from './Retraction.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { parseAuditInput } from '../audit/auditEntry.ts';

/** The whole input of a kill switch change, validated before anything changes. */
function checkChange(scope: KillScope, by: Principal, why: string): KillScope {
  const s = checkInput(scopeSchema, scope, 'kill switch scope');
  checkInput(principalSchema, by, 'principal');
  checkInput(reasonSchema, why, 'kill switch reason');
  return s;
}

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
export type KillSwitchBroadcast = (order: KillSwitchOrder) => Promise<void>;

/** A kill switch order as it travels between nodes: what to do, to what, by whom (an id) and why. */
export interface KillSwitchOrder {
  action: 'engage' | 'release';
  scope: KillScope;
  by: string;
  reason: string;
}

/** One operator change to the kill switch; `local` when the order came from another node (not re-broadcast). */
export interface KillSwitchChange {
  scope: KillScope;
  by: Principal;
  why: string;
  local?: boolean;
}

/** What the kill switch service needs. */
export interface KillSwitchDeps {
  nodeId: string;
  clock: { now(): number };
  store: RuntimeStore | undefined;
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
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
  #tail: Promise<void> = Promise.resolve();

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
   * node. Write-ahead: the whole input is validated, then the audit entry and the new state commit
   * in one transaction, then it takes effect, then it is broadcast. Should that commit fail (the
   * database is down), the switch still engages in memory (stopping is the safe direction), a
   * critical alert says it is neither audited nor persisted, and the caller gets the error.
   */
  async engage({ scope, by, why, local }: KillSwitchChange): Promise<void> {
    const s = checkChange(scope, by, why);
    await this.#serially(async () => {
      const next = this.#next((k) => k.engage(s));
      const entry = this.#entry({ action: 'operator.killswitch.engage', by, why, scope: s, state: next });
      try {
        await this.#commit(next, entry);
      } catch (error) {
        this.#apply(next, 'engage');
        this.#deps.alert({
          severity: 'critical',
          code: ErrorCode.MANDATE_ERR_KILL_SWITCH,
          message: `kill switch engaged by ${by.id} in memory only (not audited, not persisted: ${(error as Error).message}): ${why}`,
        });
        throw error;
      }
      this.#apply(next, 'engage');
    });
    this.#deps.alert({
      severity: 'critical',
      code: ErrorCode.MANDATE_ERR_KILL_SWITCH,
      message: `kill switch engaged by ${by.id}: ${why}`,
    });
    await this.#retract(by, why);
    if (local !== true) await this.#broadcast?.({ action: 'engage', scope: s, by: by.id, reason: why });
  }

  /**
   * Releases the switch for `scope` here and (unless `local`) on every node. Write-ahead: nothing
   * is released unless the audit entry and the new state committed together first.
   */
  async release({ scope, by, why, local }: KillSwitchChange): Promise<void> {
    const s = checkChange(scope, by, why);
    await this.#serially(async () => {
      const next = this.#next((k) => k.release(s));
      await this.#commit(next, this.#entry({ action: 'operator.killswitch.release', by, why, scope: s, state: next }));
      this.#apply(next, 'release');
    });
    this.#deps.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_KILL_SWITCH_RELEASED,
      message: `kill switch released by ${by.id}: ${why}`,
    });
    if (local !== true) await this.#broadcast?.({ action: 'release', scope: s, by: by.id, reason: why });
  }

  /** Changes run one at a time, so each is computed from, audited against and applied over the last. */
  #serially(change: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(change);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #next(change: (scopes: KillScopes) => void): KillSwitchState {
    const scratch = new KillScopes();
    scratch.restore(this.#scopes.state());
    change(scratch);
    return scratch.state();
  }

  #entry({
    action,
    by,
    why,
    scope,
    state,
  }: {
    action: string;
    by: Principal;
    why: string;
    scope: KillScope;
    state: KillSwitchState;
  }): AuditInput {
    const d = this.#deps;
    const entry = {
      who: by,
      action,
      subject: 'kill-switch',
      where: d.nodeId,
      why,
      data: { scope, state },
      at: d.clock.now(),
    };
    return parseAuditInput(entry); // refused here, before anything changed, if it could not be stored
  }

  async #commit(state: KillSwitchState, entry: AuditInput): Promise<void> {
    const store = this.#deps.store;
    if (store === undefined) await this.#deps.audit(entry);
    else await store.saveKillSwitch(state, entry);
  }

  /** Makes `state` the switch's, and stops the agents it now covers (engage) or releases those it no longer does. */
  #apply(state: KillSwitchState, action: 'engage' | 'release'): void {
    this.#scopes.restore(state);
    for (const h of this.#deps.agents()) {
      const covered = this.#scopes.covers(h.target);
      if (action === 'engage' && covered && h.state !== 'stopped' && h.state !== 'failed')
        h.deliver({ type: 'agent.kill' });
      if (action === 'release' && !covered && h.state === 'killed') h.deliver({ type: 'agent.release' });
    }
  }

  /** Runs every retractor for the agents now covered and audits each item it reports. */
  async #retract(by: Principal, why: string): Promise<void> {
    const covers = (agentId: string) => this.railView().isEngaged(agentId, []);
    for (const [name, retractor] of this.#retractors) {
      let items: RetractedItem[];
      try {
        items = await retractor(covers);
      } catch (error) {
        this.#deps.alert({
          severity: 'critical',
          code: ErrorCode.MANDATE_ERR_KILL_SWITCH_RETRACT,
          message: `retraction "${name}" failed: ${(error as Error).message}`,
        });
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
          this.#deps.alert({
            severity: 'critical',
            code: ErrorCode.MANDATE_ERR_KILL_SWITCH_RETRACT,
            message: `${item.kind} ${item.id} of ${item.agentId}: ${item.detail}`,
            actorId: item.agentId,
          });
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
