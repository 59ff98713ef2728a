import { z } from 'zod';
import {
  decideConfigSchema,
  durationSchema,
  goalSchema,
  mcpSpecSchema,
  perAssetSchema,
  sandboxLimitsSchema,
} from '../../actors/index.ts';
import { publicKeyFromDid } from '../../transport/index.ts';

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'ids are lower-case letters, digits and dashes, starting with a letter');
const capability = z
  .string()
  .regex(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)*$/, 'capabilities are dot-named, e.g. payments.send');

/** A trigger as authored: a time schedule, a fact threshold, an inbound message type, or user-only. */
export const triggerSchema = z.union([
  z.object({ every: durationSchema }).strict(),
  z.object({ cron: z.string().min(9) }).strict(),
  z
    .object({
      event: z
        .object({ fact: z.string().min(1), above: z.number().optional(), below: z.number().optional() })
        .strict()
        .refine((e) => e.above !== undefined || e.below !== undefined, 'an event trigger needs "above" or "below"'),
    })
    .strict(),
  z.object({ message: z.string().min(1) }).strict(),
  z.object({ user: z.literal(true) }).strict(),
]);

/** Limits: spending per asset plus retry and timeout bounds. */
export const limitsSchema = z
  .object({
    perTransaction: perAssetSchema.optional(),
    daily: perAssetSchema.optional(),
    maxAttempts: z.number().int().min(1).max(100).default(3),
    baseDelay: durationSchema.default(500),
    maxDelay: durationSchema.default(30_000),
    phaseTimeout: durationSchema.default(30_000),
    approvalTimeout: durationSchema.default(600_000),
  })
  .strict();

/** A did:key naming an Ed25519 public key (checked by decoding it, not only by its shape). */
const ed25519Did = z.string().refine((did) => {
  try {
    publicKeyFromDid(did);
    return true;
  } catch {
    return false;
  }
}, 'must be a manager\'s did:key naming an Ed25519 public key, e.g. "did:key:z6Mk…"');

/**
 * `contractor:` — the agent bids for contract-net subtasks (docs/protocol.md §10) of the capabilities listed
 * (default: all it holds) and runs each award it wins as one governed cycle (sandbox → reputation →
 * governance), its input the award's input; the cycle's verdict and outcome are the result.
 */
export const contractorSchema = z
  .object({
    capabilities: z.array(capability).min(1).optional(),
    /** Price asked per subtask (a decimal string), in `asset`. */
    price: z
      .object({
        amount: z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount like "0.25"'),
        asset: z.string().min(1).max(32),
      })
      .strict()
      .optional(),
    /** Announced time to a result. */
    eta: durationSchema.default(1_000),
    confidence: z.number().min(0).max(1).default(0.8),
    /** How long to wait for the agent to be free (idle, gates open) before reporting failure. */
    startWithin: durationSchema.default(10_000),
    /**
     * Governance of adoption (§10): the managers (dids) allowed to take over an award from the manager that made
     * it (`task.adopt`). Absent: any manager holding `contractnet.adopt`; empty: nobody.
     */
    adopters: z
      .array(ed25519Did)
      .max(64)
      .refine((dids) => new Set(dids).size === dids.length, 'must not name a manager twice')
      .optional(),
  })
  .strict();

const placementLabel = z.string().regex(/^[A-Za-z0-9._:/-]{1,63}$/);
/**
 * `placement:` — where the agent may run when several nodes share it (runtime/placement): a region
 * and node labels that must all match, e.g. `{ labels: { signer: hsm-1 } }` for the node holding a signer.
 */
export const placementSchema = z
  .object({ region: placementLabel.optional(), labels: z.record(placementLabel, placementLabel).optional() })
  .strict();

/**
 * `passivation:` — an idle agent whose triggers are only time (`every`, `cron`), message or user ones is
 * passivated after `idleAfter` without a transition: its snapshot stays in the store, no actor in memory;
 * its next trigger, message or operator command reactivates it (runtime/passivation).
 */
const passivationSchema = z.object({ idleAfter: durationSchema }).strict();

/**
 * `tuning:` — how the runtime tunes the rules' tunable `params:` (docs/decisions.md, "Learning"): at most
 * one bounded step per parameter per `period` (default 1h), once `minSamples` outcomes (default 5) were
 * seen at a value, on the reward `success − fees × fees − slippageBps × slippageBps`.
 */
const tuningSchema = z
  .object({
    period: durationSchema.default(3_600_000),
    minSamples: z.number().int().min(1).max(10_000).default(5),
    objective: z
      .object({ fees: z.number().min(0).optional(), slippageBps: z.number().min(0).optional() })
      .strict()
      .optional(),
  })
  .strict();

/** The data part of an agent definition, shared by the TypeScript API and YAML files. */
export const agentDataSchema = z
  .object({
    id: name,
    version: z.union([z.string(), z.number()]).transform(String).default('1'),
    description: z.string().default(''),
    /** Who answers for the agent (`human:alice`): under the four-eyes rule they cannot approve its requests. */
    owner: z
      .string()
      .regex(/^[a-z]+:.+$/, 'a principal as kind:id, e.g. human:alice')
      .optional(),
    capabilities: z.array(capability).min(1),
    /** A stake the agent posts (held in the store's stake ledger, slashed by severity on violations; docs/reputation.md). */
    stake: z
      .object({
        amount: z
          .string()
          .regex(/^\d{1,30}(\.\d{1,18})?$/, 'a positive decimal string, e.g. "500"')
          .refine((v) => /[1-9]/.test(v), 'must be more than 0'),
        asset: z.string().regex(/^[A-Za-z0-9.:_-]{1,32}$/, 'an asset symbol, e.g. USDC'),
      })
      .strict()
      .optional(),
    group: name.default('default'),
    restart: z.enum(['permanent', 'transient', 'temporary']).default('permanent'),
    triggers: z.array(triggerSchema).default([]),
    dependsOn: z.array(z.string().min(1)).default([]),
    permissions: z.array(z.object({ capability, accounts: z.array(z.string().min(1)).min(1) }).strict()).default([]),
    mode: z.enum(['dry-run', 'live']).optional(),
    contractor: contractorSchema.optional(),
    /** Below this computed confidence a proposal waits for human approval (0: never). */
    confidenceFloor: z.number().min(0).max(1).default(0),
    /** MCP servers the agent calls (tools → `mcp.tool.call` actions) and resources it reads into facts. */
    mcp: mcpSpecSchema.optional(),
    placement: placementSchema.optional(),
    passivation: passivationSchema.optional(),
    tuning: tuningSchema.optional(),
    limits: limitsSchema.default({
      maxAttempts: 3,
      baseDelay: 500,
      maxDelay: 30_000,
      phaseTimeout: 30_000,
      approvalTimeout: 600_000,
    }),
  })
  .strict();

/**
 * An optional model beside the rules (API keys come from the environment, never from YAML). `provider: agent`
 * asks another Mandate agent, `agent: <id>` (one holding the capability `model.complete`), over the signed bus.
 */
export const llmSchema = z
  .object({
    provider: z.enum(['openai', 'anthropic', 'agent']),
    /** The model name (openai, anthropic); for `agent`, the answering agent names its own model. */
    model: z.string().min(1).optional(),
    /** With `provider: agent`: the id of the agent that answers as the model. */
    agent: name.optional(),
    /** With `provider: agent`: how long to wait for its answer (default 10s); no answer → as if unreachable. */
    timeout: durationSchema.optional(),
    mode: z.enum(['fallback', 'review']),
    allowedActions: z.array(capability).min(1),
    minConfidence: z.number().min(0).max(1).default(0.6),
    instructions: z.string().min(1),
    /** Tokens (input + output) the agent may use per period (`per`, default 1d); past it the model is not asked. */
    budget: z
      .object({ tokens: z.number().int().min(1), per: durationSchema.default(86_400_000) })
      .strict()
      .optional(),
    /** Env var holding the API base URL (an OpenAI-compatible local server works too). */
    baseUrlEnv: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .optional(),
  })
  .strict()
  .superRefine((llm, ctx) => {
    const agent = llm.provider === 'agent';
    const wrong = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (agent && llm.agent === undefined)
      wrong('agent', 'is required with provider agent: the id of the answering agent');
    if (!agent && llm.model === undefined) wrong('model', `is required with provider ${llm.provider}`);
    if (!agent && llm.agent !== undefined) wrong('agent', 'is only for provider agent');
    if (!agent && llm.timeout !== undefined) wrong('timeout', 'is only for provider agent');
    if (agent && llm.baseUrlEnv !== undefined) wrong('baseUrlEnv', 'is not for provider agent (it has no URL)');
  });

/**
 * The YAML form: data plus named perceivers/actuators/learners and rules (inline or a file path).
 * `code:` names a strategy module (an ES module, relative to the YAML file) whose exported
 * `perceive`/`decide`/`learn` run in the sandbox with the `sandbox:` engine and limits; with it, `perceive`
 * and `rules` are optional (the module's functions stand in for what is missing).
 */
export const agentYamlSchema = agentDataSchema.extend({
  perceive: z.array(z.string().min(1)).min(1).optional(),
  rules: z.union([z.string().min(1), z.object({ rules: z.array(z.unknown()).min(1) }).passthrough()]).optional(),
  code: z
    .string()
    .regex(/\.m?js$/, 'a strategy module path ending in .js or .mjs, e.g. ./strategy.js')
    .optional(),
  sandbox: sandboxLimitsSchema.optional(),
  llm: llmSchema.optional(),
  /** Goals make the decide phase weigh options (goals → options → constraints → evaluate → select). */
  goals: z.array(goalSchema).optional(),
  /** How scores become a choice and a confidence; `confidenceFloor` is copied to the agent's data. */
  decision: decideConfigSchema.optional(),
  /**
   * A named risk posture for the evaluator (`{ preset: conservative | balanced | aggressive, …overrides }`);
   * checked by `strategySettings` so that a bad one is `MANDATE_ERR_STRATEGY_INVALID` naming its field.
   */
  strategy: z.unknown().optional(),
  /**
   * A candidate rule set run beside the live one on every decision (`{ rules: <file> }`); when the two
   * disagree the difference is filed as a review item (docs/decisions.md, "Shadow policy").
   */
  shadow: z
    .object({ rules: z.string().min(1) })
    .strict()
    .optional(),
  act: z.string().min(1).optional(),
  learn: z.array(z.string().min(1)).default([]),
});

/** Validated agent data. */
export type AgentData = z.output<typeof agentDataSchema>;
/** A contractor declaration. */
export type ContractorSpec = z.output<typeof contractorSchema>;
/** An authored trigger. */
export type TriggerSpec = z.output<typeof triggerSchema>;
/** Validated YAML agent. */
export type AgentYaml = z.output<typeof agentYamlSchema>;
