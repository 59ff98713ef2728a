import { codeOf, ErrorCode } from '../kernel/index.ts';
import type { AgentEndpoint, AgentIdentity, AttachOptions, InboundMessage } from '../transport/index.ts';
import {
  ADOPT_CAPABILITY,
  AdoptSchema,
  AwardSchema,
  CallForProposalsSchema,
  CancelSchema,
  ContractNetType,
  type Adopt,
  type Award,
  type Bid,
  type CallForProposals,
  type Cancel,
  type TaskResult,
} from './contractNetMessages.ts';
import { AwardAdoptions, type AdoptionAnswer } from './AwardAdoptions.ts';

/** Who awarded a subtask: the manager's did, and the W3C `traceparent` the award message carried (unsigned). */
export interface AwardOrigin {
  manager: string;
  traceparent: string | undefined;
}

/** How a contractor bids and works. */
export interface ContractorOptions extends Omit<ContractorRoleOptions, 'capabilities'> {
  /** Default: the descriptor's capabilities. */
  capabilities?: readonly string[];
  identity: AgentIdentity;
  bus: { attach(options: AttachOptions): Promise<AgentEndpoint> };
  /** Registered for the agent (did and node are filled in); must list the capabilities it bids for. */
  descriptor: NonNullable<AttachOptions['descriptor']>;
}

/** The bidding and working half of a contractor, for an agent that is attached some other way (a runtime agent). */
export interface ContractorRoleOptions {
  /** The capabilities it bids for; calls for others are declined. */
  capabilities: readonly string[];
  /** Answer a call for proposals: a bid, or undefined to decline. */
  bid: (
    cfp: CallForProposals,
  ) => Promise<Omit<Extract<Bid, { decision: 'bid' }>, 'taskId' | 'subtaskId' | 'decision'> | undefined>;
  /** Progress beat period while performing (lets the manager notice a dead contractor early). Default 1000 ms. */
  progressEveryMs?: number;
  /**
   * Do the work; the signal aborts when the manager withdraws the award. Throw a coded error to report failure.
   * `from` names the manager (its did) and the `traceparent` the award came with, if any.
   */
  perform: (award: Award, signal: AbortSignal, from: AwardOrigin) => Promise<unknown>;
  /**
   * Governance of adoption: the managers allowed to take over this contractor's awards from the manager that made
   * them (`task.adopt`). Whoever adopts must also hold `contractnet.adopt` in its signed registry descriptor
   * (the bus checks that before the handler runs). Absent: any holder of that capability; empty: nobody.
   */
  adopters?: readonly string[];
  /**
   * Every answer to a `task.adopt`, for the audit trail. Awaited before the hand-over takes effect: when it throws,
   * the adoption is refused with that error and the award stays with the manager it had.
   */
  onAdoption?: (answer: AdoptionAnswer) => Promise<void> | void;
}

/** One award this contractor took: who manages it now, and its result once sent (re-sent to an adopting manager). */
interface Taken {
  controller: AbortController;
  done: Promise<void>;
  manager: string;
  capability: string;
  result?: TaskResult;
}

/**
 * What a contractor does with contract-net messages, whatever endpoint it sends through: answers calls for
 * proposals for the capabilities it holds, performs awards received durably (idempotently per award id: a
 * JetStream redelivery does not run the work twice), beats progress while working, and sends each result
 * durably back to the manager under the awarded capability.
 */
export class ContractorRole {
  /** The message types a contractor accepts, with their schemas. */
  static readonly accepts = {
    [ContractNetType.cfp]: { body: CallForProposalsSchema },
    [ContractNetType.award]: { body: AwardSchema },
    [ContractNetType.cancel]: { body: CancelSchema },
    [ContractNetType.adopt]: { body: AdoptSchema, capability: ADOPT_CAPABILITY },
  } as const;
  readonly #options: ContractorRoleOptions;
  readonly #awards = new Map<string, Taken>();
  readonly #adoptions: AwardAdoptions<Taken>;
  #endpoint: AgentEndpoint | undefined;

  constructor(options: ContractorRoleOptions) {
    this.#options = options;
    this.#adoptions = new AwardAdoptions({
      adopters: options.adopters,
      onAdoption: options.onAdoption,
      award: (awardId) => this.#awards.get(awardId),
      resend: (taken) => this.#sendResult(taken),
    });
  }

  /** The endpoint bids, beats and results are sent through. */
  bind(endpoint: AgentEndpoint): void {
    this.#endpoint = endpoint;
  }

  /** Aborts every award in progress. */
  abortAll(): void {
    for (const a of this.#awards.values()) a.controller.abort();
  }

  /** Handles one contract-net message; the return value is the reply (a bid) for calls for proposals. */
  async handle(msg: InboundMessage): Promise<unknown> {
    switch (msg.envelope.type) {
      case ContractNetType.cfp: {
        const cfp = msg.body as CallForProposals;
        const holds = this.#options.capabilities.includes(cfp.capability);
        const offer = holds ? await this.#options.bid(cfp) : undefined;
        const bid: Bid =
          offer === undefined
            ? {
                taskId: cfp.taskId,
                subtaskId: cfp.subtaskId,
                decision: 'decline',
                reason: holds ? 'not available' : `does not hold ${cfp.capability}`,
              }
            : { taskId: cfp.taskId, subtaskId: cfp.subtaskId, decision: 'bid', ...offer };
        return bid;
      }
      case ContractNetType.award:
        return this.#perform(msg.body as Award, { manager: msg.envelope.from, traceparent: msg.traceparent });
      case ContractNetType.cancel: {
        const taken = this.#awards.get((msg.body as Cancel).awardId);
        if (taken?.manager === msg.envelope.from) taken.controller.abort();
        return undefined;
      }
      case ContractNetType.adopt:
        return this.#adoptions.adopt(msg.body as Adopt, msg.envelope.from);
      default:
        return undefined;
    }
  }

  async #sendResult(taken: Taken): Promise<void> {
    await this.#endpoint!.sendDurable({
      to: taken.manager,
      type: ContractNetType.result,
      body: taken.result!,
      cap: taken.capability,
    });
  }

  async #perform(award: Award, origin: AwardOrigin): Promise<void> {
    const awardedBy = origin.manager;
    const endpoint = this.#endpoint;
    if (endpoint === undefined) throw new Error('ContractorRole.bind(endpoint) was not called');
    const existing = this.#awards.get(award.awardId);
    if (existing !== undefined) return existing.done; // redelivery: the work runs once
    const taken: Taken = {
      controller: new AbortController(),
      done: Promise.resolve(),
      manager: this.#adoptions.arrived(award.awardId, awardedBy),
      capability: award.capability,
    };
    const ids = { taskId: award.taskId, subtaskId: award.subtaskId, awardId: award.awardId };
    const beat = setInterval(() => {
      void endpoint
        .send({ to: taken.manager, type: ContractNetType.progress, body: ids, cap: award.capability })
        .catch(() => undefined);
    }, this.#options.progressEveryMs ?? 1_000);
    taken.done = (async () => {
      let result: TaskResult;
      try {
        const output = await this.#options.perform(award, taken.controller.signal, {
          manager: taken.manager,
          traceparent: origin.traceparent,
        });
        result = { ...ids, ok: true, output: (output ?? null) as never };
      } catch (err) {
        const e = err as { message?: unknown } | undefined;
        result = {
          ...ids,
          ok: false,
          error: {
            code: codeOf(err, ErrorCode.MANDATE_ERR_TASK_FAILED),
            message: String(e?.message ?? err).slice(0, 2000),
          },
        };
      } finally {
        clearInterval(beat);
      }
      if (taken.controller.signal.aborted) return;
      taken.result = result;
      await this.#sendResult(taken);
    })().catch((err: unknown) => {
      // The result could not be stored: forget the award so the redelivery runs it again.
      this.#awards.delete(award.awardId);
      throw err;
    });
    this.#awards.set(award.awardId, taken);
    return taken.done;
  }
}

/** A contract-net contractor agent of its own: attached with its descriptor and durable inbox, playing a {@link ContractorRole}. */
export class ContractNetContractor {
  readonly #role: ContractorRole;
  #endpoint!: AgentEndpoint;

  private constructor(role: ContractorRole) {
    this.#role = role;
  }

  /** Registers the agent and starts serving. */
  static async attach(options: ContractorOptions): Promise<ContractNetContractor> {
    const role = new ContractorRole({
      ...options,
      capabilities: options.capabilities ?? options.descriptor.capabilities.map((c) => c.name),
    });
    const c = new ContractNetContractor(role);
    c.#endpoint = await options.bus.attach({
      identity: options.identity,
      descriptor: options.descriptor,
      durable: { ackWaitMs: 10_000 },
      accepts: { ...ContractorRole.accepts },
      handler: (msg) => role.handle(msg),
    });
    role.bind(c.#endpoint);
    return c;
  }

  /** The contractor's did. */
  get did(): string {
    return this.#endpoint.did;
  }

  /** Stops serving (in-flight work is aborted). */
  async detach(): Promise<void> {
    this.#role.abortAll();
    await this.#endpoint.detach();
  }
}
