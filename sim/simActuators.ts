import type { Actuator, ActContext } from '../actors/index.ts';
import type { Outcome, ProposedAction } from '../machines/index.ts';
import { MandateError, type Clock } from '../runtime/index.ts';
import { ErrorCode } from '../kernel/index.ts';
import type { SimBank } from './SimBank.ts';
import { SIM_LIMITS } from './simLimits.ts';
import type { SimChain } from './SimChain.ts';
import { DEFAULT_IO_FAULTS, type IoFaults, type SimIo } from './SimIo.ts';
import type { SimRandom } from './SimRandom.ts';

/** The bank's faults: more refusals and lost answers than the database, and slow answers (bank delays). */
const BANK_FAULTS: IoFaults = {
  ...DEFAULT_IO_FAULTS,
  error: 0.05,
  timeout: 0.05,
  delay: 0.3,
  code: ErrorCode.MANDATE_ERR_RAIL_BROADCAST,
};

function transfer(action: ProposedAction, ctx: ActContext) {
  return {
    key: ctx.idempotencyKey,
    agentId: ctx.agentId,
    decisionId: ctx.decisionId,
    amount: action.amount?.value ?? '(none)',
    asset: action.amount?.asset ?? '(none)',
  };
}

/** Pays through the {@link SimBank}; reconciles by asking the bank for the payment's end-to-end id. */
export function bankActuator(io: SimIo, bank: SimBank, clock: Clock): Actuator {
  return {
    name: 'sim.bank',
    effect: 'external',
    async execute(action, ctx): Promise<Outcome> {
      const booked = await io.call(
        'bank.pay',
        () => {
          // The rail's own limit, as the real rails reserve it in their database before signing:
          // the runtime's in-process budget starts again after a restart, this one does not.
          const t = { ...transfer(action, ctx), at: clock.now() };
          if (bank.spentToday(ctx.agentId, t.at) + Number(t.amount) > SIM_LIMITS.daily) return undefined;
          return bank.pay(t);
        },
        BANK_FAULTS,
      );
      if (booked === undefined)
        return {
          status: 'failed',
          error: {
            code: ErrorCode.MANDATE_ERR_LIMIT_EXCEEDED,
            message: `daily limit ${SIM_LIMITS.daily} USDC reached`,
          },
        };
      return { status: 'succeeded', receipt: { reference: booked.reference, amount: booked.amount } };
    },
    async reconcile(_action, ctx): Promise<Outcome | undefined> {
      const found = await io.call('bank.status', () => bank.find(ctx.idempotencyKey), BANK_FAULTS);
      return found === undefined
        ? undefined
        : { status: 'succeeded', receipt: { reference: found.reference, amount: found.amount } };
    },
  };
}

/** What the chain actuator needs of its world. */
export interface ChainActuatorOptions {
  io: SimIo;
  chain: SimChain;
  clock: Clock;
  random: SimRandom;
  /** Probability that a sent transaction gets stuck in the mempool for up to a minute. */
  stuck: number;
}

const CONFIRMATIONS = 2;
const WAIT_MS = 20_000;

/**
 * Pays on the {@link SimChain}: signs a new transaction, sends it, waits for two confirmations.
 * Reconciling finds what was sent for the key (mined or pending) and waits for that instead of
 * signing again.
 */
export function chainActuator(o: ChainActuatorOptions): Actuator {
  const sleep = (ms: number) => new Promise<void>((resolve) => o.clock.setTimeout(resolve, ms));
  const confirmed = async (hash: string): Promise<Outcome> => {
    const until = o.clock.now() + WAIT_MS;
    while (o.clock.now() < until) {
      const n = await o.io.call('chain.receipt', () => o.chain.confirmations(hash));
      if (n !== undefined && n >= CONFIRMATIONS) return { status: 'succeeded', receipt: { reference: hash } };
      await sleep(1_000);
    }
    throw new MandateError(
      ErrorCode.MANDATE_ERR_RAIL_BROADCAST,
      `simulated fault: transaction ${hash} stuck unconfirmed`,
    );
  };
  return {
    name: 'sim.chain',
    effect: 'external',
    async execute(action, ctx): Promise<Outcome> {
      const hash = o.chain.nextHash(ctx.idempotencyKey);
      const stuckUntil = o.random.chance(o.stuck) ? o.clock.now() + o.random.int(60_000) : 0;
      await o.io.call('chain.send', () => o.chain.send({ ...transfer(action, ctx), hash, stuckUntil }));
      return confirmed(hash);
    },
    async reconcile(_action, ctx): Promise<Outcome | undefined> {
      const sent = await o.io.call('chain.find', () => o.chain.sentFor(ctx.idempotencyKey));
      return sent.length === 0 ? undefined : confirmed(sent[0]!.hash);
    },
  };
}
