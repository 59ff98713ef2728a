import type { Outcome, ProposedAction } from '../machines/index.ts';

/** What an actuator is told about the effect it is asked to make. */
export interface ActContext {
  agentId: string;
  decisionId: string;
  /** Stable across retries and restarts: the rail must treat a repeat as the same effect. */
  idempotencyKey: string;
  mode: 'dry-run' | 'live';
  now: number;
  /** The approvers' signatures an approval collected for this action (a Safe quorum), when it needed them. */
  signatures?: CollectedSignatures;
  /**
   * The fencing token of the placement lease the acting node holds the agent under (several nodes).
   * A rail or signer that keeps state checks it there (refusing a token lower than one it has seen
   * for the agent), so a paused old owner can never sign after its successor took over.
   */
  fence?: number;
}

/**
 * What approvers sign for an action governance holds: e.g. a Safe transaction whose owners are
 * the agent and the approvers. Plain JSON, persisted with the approval.
 */
export interface SignatureRequest {
  /** `safe`: an EIP-712 Safe transaction signature. */
  readonly scheme: 'safe';
  /** The 32-byte digest every signature is over (the Safe transaction hash). */
  readonly digest: string;
  /** Signatures needed (the Safe's threshold): the approval's quorum. */
  readonly threshold: number;
  /** Who may sign, as approver principal (`human:treasurer`) → the address that must have signed. */
  readonly signers: Readonly<Record<string, string>>;
  /** EIP-712 typed data for the approver's wallet (`eth_signTypedData_v4`). */
  readonly typedData: Readonly<Record<string, unknown>>;
  /** The scheme's own data (the Safe proposal: address, nonce, transaction fields). */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Signatures collected for a {@link SignatureRequest}: approver principal → signature and address. */
export interface CollectedSignatures {
  readonly request: SignatureRequest;
  readonly signatures: Readonly<
    Record<string, { readonly address: string; readonly signature: string; readonly at: number }>
  >;
}

/**
 * How an actuator's effect is approved by signatures instead of clicks: governance asks it for a
 * {@link SignatureRequest} when it holds a proposal, each approval must carry one approver's
 * signature over it, and the act receives the collected set (`ActContext.signatures`).
 */
export interface SignatureScheme {
  /** The request approvers sign for `action`; undefined when this action needs no signatures. */
  request(
    action: ProposedAction,
    ctx: Pick<ActContext, 'agentId' | 'decisionId' | 'idempotencyKey'>,
  ): Promise<SignatureRequest | undefined>;
  /** Checks one signature over the request and returns the address it recovers to; throws a coded error when it is not valid. */
  verify(request: SignatureRequest, signature: string): Promise<string>;
}

/**
 * Executes approved actions. `external` effects (payments, swaps, messages to
 * banks) are never executed in dry-run: the runtime calls `prepare` and records
 * "would have sent". `internal` effects (opening a gate, a note) always run.
 */
export interface Actuator {
  readonly name: string;
  readonly effect: 'external' | 'internal';
  /** Everything except the effect: validation, quotes, fee estimates. Its result is what dry-run reports. */
  prepare?(action: ProposedAction, ctx: ActContext): Promise<Record<string, unknown>>;
  execute(action: ProposedAction, ctx: ActContext): Promise<Outcome>;
  /** After a crash during act: what happened to the effect with this key? `undefined` = it never happened. */
  reconcile?(action: ProposedAction, ctx: ActContext): Promise<Outcome | undefined>;
  /** When approvals of this actuator's actions are signatures (a multisig), how they are requested and checked. */
  readonly signatures?: SignatureScheme;
}

/** Facts gatherer run in the perceive phase. Its output is validated before use. */
export type Perceiver = (ctx: {
  agentId: string;
  now: number;
  trigger: Record<string, unknown>;
}) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** What a learner may report: actions a human should review, with why. */
export interface LearnReport {
  flags?: string[];
}

/** Learner run in the learn phase: adjusts thresholds, flags suboptimal actions for human review. */
export type Learner = (ctx: {
  agentId: string;
  facts: Record<string, unknown>;
  decision: unknown;
  outcome: Outcome;
}) => Promise<LearnReport | void> | LearnReport | void;
