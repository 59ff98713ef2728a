import { isMandateError, MandateError, type Clock } from '../kernel/index.ts';
import { publicKeyFromDid, type AgentIdentity } from './AgentIdentity.ts';
import type { Envelope } from './Envelope.ts';
import {
  EnvelopeRejectedError,
  HandlerFailedError,
  RejectCode,
  type RefusedPeer,
  type RejectCodeValue,
} from './errors.ts';
import { NODE_CAPABILITY } from './controlMessages.ts';
import { encodeEnvelope, type EnvelopeDraft } from './signEnvelope.ts';
import type { Transport } from './Transport.ts';

/** A refused envelope, as the runtime routes it to the log and the audit trail. */
export interface Rejection {
  code: RejectCodeValue;
  message: string;
  subject: string;
  /** Whose inbox/scope it was for. */
  scope: string;
  envelopeId?: string;
  from?: string;
  type?: string;
  at: number;
  details?: Record<string, unknown>;
  /** True when the sender got a signed `mandate.error` answer (it waited on a reply subject). */
  answered: boolean;
}

/** What {@link Refusals} needs from its bus. */
export interface RefusalsOptions {
  transport: Transport;
  /** The node identity: signs refusals (its descriptor holds `mandate.node`, so requesters can tell it is a node). */
  node: AgentIdentity;
  sign: (identity: AgentIdentity, draft: EnvelopeDraft) => Envelope;
  clock: Pick<Clock, 'now'>;
  onReject?: (rejection: Rejection) => void;
}

/** Whom a `mandate.error` answers, and the agent that signs it when it may (otherwise the node does). */
export interface ErrorAnswer {
  peer: RefusedPeer;
  signer?: AgentIdentity;
}

/** A did a refusal may name as `to`: a valid Ed25519 did:key (§2), else nobody. */
function validDid(did: string | undefined): string | undefined {
  if (did === undefined) return undefined;
  try {
    publicKeyFromDid(did);
    return did;
  } catch {
    return undefined;
  }
}

/**
 * Refusals of inbound envelopes: counted by code, reported (log and audit hook), and — whenever the sender
 * waits on a reply subject — answered with a signed `mandate.error` carrying the §6 code, addressed to the
 * sender when its `from` was a valid did and to nobody (`to` omitted) otherwise (docs/protocol.md §5).
 */
export class Refusals {
  readonly #o: RefusalsOptions;
  /** Refusals counted by code, for metrics. */
  readonly counts = new Map<RejectCodeValue, number>();

  constructor(options: RefusalsOptions) {
    this.#o = options;
  }

  /** Records a refusal and answers it when `reply` is set. Anything not a refusal is treated as the receiver failing (`…_UNAVAILABLE`). */
  refuse(err: unknown, m: { subject: string; reply?: string | undefined }, scope: string): Rejection {
    const coded =
      err instanceof EnvelopeRejectedError
        ? err
        : new EnvelopeRejectedError(
            RejectCode.unavailable,
            `Envelope could not be processed: ${(err as Error)?.message ?? String(err)}; retry with a fresh envelope.`,
            { cause: err },
          );
    const d = coded.details ?? {};
    const rejection: Rejection = {
      code: coded.code,
      message: coded.message,
      subject: m.subject,
      scope,
      at: this.#o.clock.now(),
      details: d,
      answered: m.reply !== undefined,
      ...(typeof d.id === 'string' ? { envelopeId: d.id } : {}),
      ...(typeof d.from === 'string' ? { from: d.from } : {}),
      ...(typeof d.type === 'string' ? { type: d.type } : {}),
    };
    this.counts.set(coded.code, (this.counts.get(coded.code) ?? 0) + 1);
    if (m.reply !== undefined) this.answer(m.reply, coded, { peer: coded.peer });
    this.#o.onReject?.(rejection);
    return rejection;
  }

  /**
   * Publishes a signed `mandate.error` on `replyTo`. `signer` (the agent whose handler failed) signs when it
   * may; otherwise, and for refusals, the node does, claiming `mandate.node`.
   */
  answer(replyTo: string, err: MandateError, { peer, signer }: ErrorAnswer): void {
    const to = validDid(peer.from);
    const draft = (cap: string | undefined): EnvelopeDraft => ({
      ...(to === undefined ? {} : { to }),
      type: 'mandate.error',
      ...(peer.id === undefined ? {} : { re: peer.id }),
      ...(cap === undefined ? {} : { cap }),
      priority: 'high',
      body: { code: err.code, message: err.message },
    });
    let env: Envelope | undefined;
    if (signer !== undefined) {
      try {
        env = this.#o.sign(signer, draft(undefined));
      } catch {
        env = undefined; // the agent may not sign (kill switch): its node answers instead
      }
    }
    env ??= this.#o.sign(this.#o.node, draft(NODE_CAPABILITY));
    try {
      this.#o.transport.publish(replyTo, encodeEnvelope(env));
    } catch {
      // The transport is closing: the requester times out, which it must handle anyway.
    }
  }
}

/** Wraps what a handler threw as the coded error its requester is answered with. */
export function handlerFailure(err: unknown, type: string): MandateError {
  return isMandateError(err)
    ? err
    : new HandlerFailedError(
        `The handler of "${type}" failed: ${(err as Error)?.message ?? String(err)}; its agent should fix the handler or throw a coded MandateError.`,
        { cause: err },
      );
}
