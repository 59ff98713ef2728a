import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import {
  McpClients,
  type Actuator,
  type Decider,
  type Learner,
  type McpSpecInput,
  type Perceiver,
} from '../../actors/index.ts';
import { AgentDefinitionError } from '../errors.ts';
import { agentDataSchema, type AgentData } from './agentSchema.ts';
import { withMcp } from './withMcp.ts';
import type { AgentSource } from '../versions/AgentVersion.ts';
import { checkPassivation } from './checkPassivation.ts';
import { shareDefinitionParts } from './shareDefinitionParts.ts';
import type { AgentModelLink } from './AgentModelLink.ts';

/** A complete agent: validated data plus the code of its four phases. */
export interface AgentDefinition extends AgentData {
  perceive: Perceiver;
  decide: Decider;
  /** Required when the agent can propose actions. */
  act?: Actuator | undefined;
  learn?: Learner | undefined;
  /** A designer's own agent statechart; it must keep the four phases and the agent event protocol. */
  machine?: AnyStateMachine | undefined;
  /** The connections to the servers of `mcp:` (closed by the runtime on shutdown). */
  mcpClients?: McpClients | undefined;
  /** The files a YAML agent was built from (its YAML, rules files, strategy module): stored with each version. */
  source?: AgentSource | undefined;
  /** Its strategy module's sandbox (`code:`): limits and what the last call used, read by the health score. */
  sandbox?:
    | { readonly limits: { cpuMs: number }; readonly lastUsage: { cpuMs: number; heapBytes?: number } | undefined }
    | undefined;
  /** With `llm.provider: agent`: bound to the agent's bus endpoint by the runtime's messaging when it attaches. */
  modelLink?: AgentModelLink | undefined;
  /** Builds this agent from another version's files with the same plugins (set by `parseAgentYaml`; rollback uses it). */
  reload?: ((source: AgentSource) => Promise<AgentDefinition>) | undefined;
}

/** What `defineAgent` accepts: the data fields in their authored form plus the phase code. */
export type AgentSpec = Omit<z.input<typeof agentDataSchema>, 'mcp'> & {
  /** MCP servers: the `mcp:` block as data, or connections made with `McpClients.fromSpec` (to share them). */
  mcp?: McpSpecInput | McpClients;
  perceive: Perceiver;
  decide: Decider;
  act?: Actuator;
  learn?: Learner;
  machine?: AnyStateMachine;
};

const REQUIRED_STATES = ['idle', 'perceive', 'decide', 'propose', 'act', 'learn'];

/** Turns the first zod issue into a coded error naming the field. */
export function definitionError(source: string, error: z.ZodError): AgentDefinitionError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || '(root)';
  return new AgentDefinitionError(`Invalid agent definition ${source}: "${field}" ${issue.message}.`, {
    source,
    field,
    issues: error.issues.length,
  });
}

/**
 * Defines an agent in TypeScript. Validates the data with zod and checks the
 * phase code is there; throws `MANDATE_ERR_AGENT_DEFINITION` naming the field.
 *
 * @example
 * const watcher = defineAgent({
 *   id: 'fee-watcher', capabilities: ['gates.write'], triggers: [{ every: '10s' }],
 *   perceive: async () => ({ gasGwei: await gasOracle.read() }),
 *   decide: RulesDecider.fromYaml(rulesText),
 *   act: gateActuator,
 * });
 * // With MCP servers and no `act`, tool calls (`mcp.tool.call`) go to the MCP actuator:
 * defineAgent({ id: 'caller', capabilities: ['mcp.everything.get-sum'],
 *   mcp: { servers: { everything: { command: 'npx', args: ['mcp-server-everything'] } } }, perceive, decide });
 */
export function defineAgent(spec: AgentSpec): AgentDefinition {
  const { perceive, decide, act, learn, machine, mcp, ...rest } = spec;
  const data = mcp === undefined ? rest : { ...rest, mcp: mcp instanceof McpClients ? mcp.spec : mcp };
  const parsed = agentDataSchema.safeParse(data);
  const source = typeof (data as { id?: unknown }).id === 'string' ? `"${(data as { id: string }).id}"` : '(no id)';
  if (!parsed.success) throw definitionError(source, parsed.error);
  checkPassivation(parsed.data, source);
  if (typeof perceive !== 'function')
    throw new AgentDefinitionError(`Agent ${source}: "perceive" must be a function.`, { field: 'perceive' });
  if (typeof decide?.decide !== 'function')
    throw new AgentDefinitionError(`Agent ${source}: "decide" must be a Decider (an object with decide(facts)).`, {
      field: 'decide',
    });
  if (act !== undefined && typeof act.execute !== 'function')
    throw new AgentDefinitionError(`Agent ${source}: "act" must be an Actuator.`, { field: 'act' });
  if (learn !== undefined && typeof learn !== 'function')
    throw new AgentDefinitionError(`Agent ${source}: "learn" must be a function.`, { field: 'learn' });
  for (const p of parsed.data.permissions) {
    if (!parsed.data.capabilities.includes(p.capability)) {
      throw new AgentDefinitionError(
        `Agent ${source}: permission for "${p.capability}" which is not among its capabilities.`,
        { field: 'permissions', capability: p.capability },
      );
    }
  }
  if (machine !== undefined) {
    const states = Object.keys((machine as { root?: { states?: Record<string, unknown> } }).root?.states ?? {});
    const missing = REQUIRED_STATES.filter((s) => !states.includes(s));
    if (missing.length > 0) {
      throw new AgentDefinitionError(
        `Agent ${source}: its machine lacks the states ${missing.join(', ')}; a Mandate agent machine keeps idle, perceive, decide, propose, act and learn.`,
        { field: 'machine', missing },
      );
    }
  }
  const def: AgentDefinition = { ...shareDefinitionParts(parsed.data), perceive, decide, act, learn, machine };
  if (parsed.data.mcp === undefined) return def;
  return withMcp(def, mcp instanceof McpClients ? mcp : new McpClients(parsed.data.mcp), act === undefined);
}
