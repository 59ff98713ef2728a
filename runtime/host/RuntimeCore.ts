import type { Actor, AnyStateMachine, Snapshot } from 'xstate';
import type { Proposal } from '../../actors/index.ts';
import type { AgentContext, AgentInput, AgentLimits, Decision, Outcome, Verdict } from '../../machines/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import type { Clock } from '../../kernel/index.ts';
import type { FactBoard } from '../scheduler/FactBoard.ts';
import type { KillSwitch } from '../KillSwitch.ts';
import type { AgentHost } from './AgentHost.ts';
import type { IntentLog } from './IntentLog.ts';
import type { PhaseWatchdog } from './PhaseWatchdog.ts';

/** What agent hosts need from the runtime (implemented by `Runtime`). */
export interface RuntimeCore {
  readonly clock: Clock;
  readonly killSwitch: KillSwitch;
  readonly facts: FactBoard;
  readonly intents: IntentLog;
  /** Phase timeouts of every agent, on one timer. */
  readonly watchdog: PhaseWatchdog;
  newId(): string;
  /** Applies what-if overrides (simulation) to perceived facts; identity when there are none. */
  overrideFacts(facts: Record<string, unknown>): Record<string, unknown>;
  random32(): number;
  limitsFor(def: AgentDefinition): AgentLimits;
  modeFor(def: AgentDefinition): 'dry-run' | 'live';
  createAgentActor(host: AgentHost, input: AgentInput, snapshot?: Snapshot<unknown>): Actor<AnyStateMachine>;
  onAgentTransition(host: AgentHost, from: string, to: string, event: string): void;
  proposeUpChain(host: AgentHost, proposal: Proposal): Promise<Verdict>;
  settle(host: AgentHost, proposal: Proposal, outcome: Outcome): Promise<void>;
  recordDecision(host: AgentHost, ctx: AgentContext, decision: Decision, verdict: Verdict | null, outcome: Outcome | null): Promise<void>;
  /** Raises a learner's review flags as an alert and an audit entry. */
  flagForReview(host: AgentHost, decision: Decision, flags: string[]): Promise<void>;
  alert(severity: 'info' | 'warning' | 'critical', code: string, message: string, actorId?: string): void;
}
