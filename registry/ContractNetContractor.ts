import { codeOf, ErrorCode } from '../kernel/index.ts';
import type {
  AgentDescriptorInput,
  AgentEndpoint,
  AgentIdentity,
  AttachOptions,
  InboundMessage,
} from '../transport/index.ts';
import {
  AwardSchema,
  CallForProposalsSchema,
  CancelSchema,
  ContractNetType,
  type Award,
  type Bid,
  type CallForProposals,
  type Cancel,
  type TaskResult,
} from './contractNetMessages.ts';

/** How a contractor bids and works. */
export interface ContractorOptions {
  identity: AgentIdentity;
  bus: { attach(options: AttachOptions): Promise<AgentEndpoint> };
  /** Registered for the agent (did and node are filled in); must list the capabilities it bids for. */
  descriptor: Omit<AgentDescriptorInput, 'did' | 'node'>;
  /** Answer a call for proposals: a bid, or undefined to decline. */
  bid: (
    cfp: CallForProposals,
  ) => Promise<Omit<Extract<Bid, { decision: 'bid' }>, 'taskId' | 'subtaskId' | 'decision'> | undefined>;
  /** Progress beat period while performing (lets the manager notice a dead contractor early). Default 1000 ms. */
  progressEveryMs?: number;
  /** Do the work; the signal aborts when the manager withdraws the award. Throw a coded error to report failure. */
  perform: (award: Award, signal: AbortSignal) => Promise<unknown>;
}

/**
 * The contractor side of a contract-net exchange: answers calls for proposals for the capabilities it holds,
 * performs awards received durably (idempotently per award id: a JetStream redelivery does not run the work
 * twice), and sends each result durably back to the manager under the awarded capability.
 */
export class ContractNetContractor {
  readonly #options: ContractorOptions;
  readonly #awards = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #endpoint!: AgentEndpoint;

  private constructor(options: ContractorOptions) {
    this.#options = options;
  }

  /** Registers the agent and starts serving. */
  static async attach(options: ContractorOptions): Promise<ContractNetContractor> {
    const c = new ContractNetContractor(options);
    c.#endpoint = await options.bus.attach({
      identity: options.identity,
      descriptor: options.descriptor,
      durable: { ackWaitMs: 10_000 },
      accepts: {
        [ContractNetType.cfp]: { body: CallForProposalsSchema },
        [ContractNetType.award]: { body: AwardSchema },
        [ContractNetType.cancel]: { body: CancelSchema },
      },
      handler: (msg) => c.#on(msg),
    });
    return c;
  }

  /** The contractor's did. */
  get did(): string {
    return this.#endpoint.did;
  }

  /** Stops serving (in-flight work is aborted). */
  async detach(): Promise<void> {
    for (const a of this.#awards.values()) a.controller.abort();
    await this.#endpoint.detach();
  }

  async #on(msg: InboundMessage): Promise<unknown> {
    switch (msg.envelope.type) {
      case ContractNetType.cfp: {
        const cfp = msg.body as CallForProposals;
        const holds = this.#options.descriptor.capabilities.some((c) => c.name === cfp.capability);
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
        return this.#perform(msg.body as Award, msg.envelope.from);
      case ContractNetType.cancel:
        this.#awards.get((msg.body as Cancel).awardId)?.controller.abort();
        return undefined;
      default:
        return undefined;
    }
  }

  async #perform(award: Award, manager: string): Promise<void> {
    const existing = this.#awards.get(award.awardId);
    if (existing !== undefined) return existing.done; // redelivery: the work runs once
    const controller = new AbortController();
    const beat = setInterval(() => {
      void this.#endpoint
        .send(
          manager,
          ContractNetType.progress,
          { taskId: award.taskId, subtaskId: award.subtaskId, awardId: award.awardId },
          { cap: award.capability },
        )
        .catch(() => undefined);
    }, this.#options.progressEveryMs ?? 1_000);
    const done = (async () => {
      let result: TaskResult;
      try {
        const output = await this.#options.perform(award, controller.signal);
        result = {
          taskId: award.taskId,
          subtaskId: award.subtaskId,
          awardId: award.awardId,
          ok: true,
          output: (output ?? null) as never,
        };
      } catch (err) {
        const e = err as { message?: unknown } | undefined;
        result = {
          taskId: award.taskId,
          subtaskId: award.subtaskId,
          awardId: award.awardId,
          ok: false,
          error: {
            code: codeOf(err, ErrorCode.MANDATE_ERR_TASK_FAILED),
            message: String(e?.message ?? err).slice(0, 2000),
          },
        };
      } finally {
        clearInterval(beat);
      }
      if (!controller.signal.aborted)
        await this.#endpoint.sendDurable(manager, ContractNetType.result, result, { cap: award.capability });
    })().catch((err: unknown) => {
      // The result could not be stored: forget the award so the redelivery runs it again.
      this.#awards.delete(award.awardId);
      throw err;
    });
    this.#awards.set(award.awardId, { controller, done });
    return done;
  }
}
