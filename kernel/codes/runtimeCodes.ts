import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the agent and supervisor machines and the runtime's services. Documented in docs/errors.md, "Machines and runtime core (machines, runtime)". */
export const RUNTIME_CODES = {
  MANDATE_ERR_EVENT_INVALID: {
    status: 400,
    kind: 'error',
    meaning: 'an event of the wrong shape was sent to an actor; the actor is not disturbed',
  },
  MANDATE_ERR_AGENT_DEFINITION: {
    status: 400,
    kind: 'error',
    meaning: 'an agent definition (TypeScript or YAML) is invalid; `details.field` names the field',
  },
  MANDATE_ERR_CAPABILITY_UNKNOWN: { status: 400, kind: 'error', meaning: 'a capability that no actuator provides' },
  MANDATE_ERR_NOT_FOUND: {
    status: 404,
    kind: 'error',
    meaning:
      'no agent, approval, supervisor, capability or proposal stage with that id (the API answers it for an unknown agent too); the message says where the known ones are listed',
  },
  MANDATE_ERR_STATE_CONFLICT: {
    status: 409,
    kind: 'error',
    meaning: "the operation is not possible in the actor's current state",
  },
  MANDATE_ERR_KILL_SWITCH: {
    status: 409,
    kind: 'error',
    meaning: 'the kill switch covers this agent: nothing is signed or sent',
  },
  MANDATE_ERR_ACT_UNRECONCILED: {
    status: 409,
    kind: 'error',
    meaning: 'an effect was in flight at a crash and cannot be reconciled automatically',
  },
  MANDATE_ERR_PERCEIVE_FAILED: {
    status: 500,
    kind: 'error',
    meaning: 'a perceiver threw or returned something that is not a JSON object',
  },
  MANDATE_ERR_DECIDE_FAILED: { status: 500, kind: 'error', meaning: 'a decider threw or returned an invalid decision' },
  MANDATE_ERR_PROPOSE_FAILED: {
    status: 500,
    kind: 'error',
    meaning: 'a supervisor policy could not evaluate a proposal',
  },
  MANDATE_ERR_ACT_FAILED: { status: 500, kind: 'error', meaning: 'an actuator threw without a coded error' },
  MANDATE_ERR_LEARN_FAILED: { status: 500, kind: 'error', meaning: 'a learner threw; the outcome is still recorded' },
  MANDATE_ERR_DUPLICATE_ID: {
    status: 409,
    kind: 'error',
    meaning: 'two agents or supervisors with one id, or two proposal stages with one name',
  },
  MANDATE_ERR_GATE_PARAMS: {
    status: 400,
    kind: 'error',
    meaning: 'a `gate.set` action without `{ gate: string, open: boolean }` params',
  },
  MANDATE_ERR_VERSION_UNAVAILABLE: {
    status: 409,
    kind: 'error',
    meaning:
      'a rollback names a stored agent version this runtime cannot rebuild (no store of versions, or a TypeScript definition this process never loaded)',
  },
  MANDATE_ERR_SNAPSHOT_INCOMPATIBLE: {
    status: null,
    kind: 'error',
    meaning: 'a persisted agent snapshot cannot be resumed by the current definition; the agent starts fresh (alert)',
  },
  MANDATE_ERR_PHASE_TIMEOUT: {
    status: null,
    kind: 'outcome',
    meaning:
      "a phase did not finish within `limits.phaseTimeout` (raised by the runtime's phase watchdog as `agent.phase.timeout`; alerted, then retried like any phase failure)",
  },
  MANDATE_ERR_SHUTDOWN_DRAIN_TIMEOUT: {
    status: null,
    kind: 'error',
    meaning:
      'at shutdown an agent was still in a phase after the drain wait (5 s); the store closed anyway, and what that phase wrote write-ahead is reconciled at the next start (warning)',
  },
  MANDATE_ERR_PROPOSAL_DENIED: {
    status: null,
    kind: 'outcome',
    meaning: 'the supervisor chain denied a proposal (outcome, not an exception)',
  },
  MANDATE_ERR_APPROVAL_REJECTED: {
    status: null,
    kind: 'outcome',
    meaning: 'an approver rejected a pending action (outcome)',
  },
  MANDATE_ERR_APPROVAL_EXPIRED: {
    status: null,
    kind: 'outcome',
    meaning: 'nobody approved a pending action in time (outcome)',
  },
  MANDATE_ERR_ACTOR_CRASHED: { status: null, kind: 'outcome', meaning: 'an actor threw; its supervisor restarts it' },
  MANDATE_ERR_SUPERVISOR_ESCALATED: {
    status: null,
    kind: 'outcome',
    meaning: 'a supervisor exceeded its restart intensity and ended, escalating to its parent',
  },
  MANDATE_ERR_CHAIN_METHOD: {
    status: 400,
    kind: 'error',
    meaning:
      'a JSON-RPC method the embedded chain refuses (it would change state outside its replayable block log: `hardhat_*`, `evm_*` except `evm_mine`, `eth_sendTransaction`); sign a transaction instead',
  },
  MANDATE_ERR_CHAIN_REPLAY: {
    status: 500,
    kind: 'error',
    meaning:
      "the embedded chain's `blocks.jsonl` does not replay to the block hashes it recorded (another EVM version, an edited file); restore it or start a new chain directory",
  },
  MANDATE_ERR_CHAIN_CONFIG: {
    status: 500,
    kind: 'error',
    meaning:
      'the chain could not be opened: `EVM_RPC_URL` does not answer, the operator keystore is missing or does not open, or `contracts.json` belongs to another chain',
  },
  MANDATE_ERR_CHAIN_RPC: {
    status: 502,
    kind: 'error',
    meaning: 'the chain answered a JSON-RPC call with an error (its code and message are in the message)',
  },
  MANDATE_ERR_APPROVAL_SIGNATURE: {
    status: 400,
    kind: 'error',
    meaning:
      "an approval that is a Safe quorum was granted without a signature, with a signature by another wallet than the approver's, or by someone not among its signers",
  },
  MANDATE_ERR_APPROVAL_QUORUM: {
    status: 409,
    kind: 'error',
    meaning:
      "governance's `quorum` for an approval differs from the threshold of the Safe that pays it; make them equal",
  },
} as const satisfies Record<string, CodeEntry>;
