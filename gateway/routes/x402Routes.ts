/**
 * Capabilities sold behind x402: `GET|POST /x402/:capability` answers 402 with the offer's
 * `PAYMENT-REQUIRED`; with a `PAYMENT-SIGNATURE` the seller verifies the payment through its
 * facilitator, runs the capability as a governed task (the payer is the principal), settles and
 * answers 200 with `PAYMENT-RESPONSE` — exactly once per authorization (`X402Seller`). Public: the
 * payment is the credential. `GET /x402` lists what is on sale.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { X402SaleRefusedError, type SaleAnswer, type SaleWork, type X402Seller } from '../../actors/index.ts';
import { unstorableJson } from '../../kernel/index.ts';
import { NotFoundError } from '../../runtime/index.ts';
import type { MandateRuntime, TaskResult } from '../RuntimeApi.ts';
import { IdSchema } from '../schemas.ts';
import { runGoverned } from '../submitGoverned.ts';

const params = z.object({ capability: IdSchema }).strict();
const query = z.record(z.string().max(100), z.string().max(1000));
const body = z
  .record(z.string(), z.unknown())
  .superRefine((input, ctx) => {
    const bad = unstorableJson(input);
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: bad.reason, path: bad.path });
  })
  .optional();

/** What a finished task sells: only a succeeded outcome is delivered (and paid for). */
function workOf(result: TaskResult): SaleWork {
  if (result.outcome?.status === 'succeeded') return { kind: 'delivered', body: result };
  const why =
    result.verdict?.status === 'denied'
      ? `${result.verdict.by} denied it: ${result.verdict.reason}`
      : `its outcome is ${result.outcome?.status ?? 'none'}${result.outcome?.error ? ` (${result.outcome.error.message})` : ''}`;
  return {
    kind: 'refused',
    error: new X402SaleRefusedError(`The paid task was not carried out: ${why}; the payment is not settled.`),
    body: result,
  };
}

/**
 * What a task held for approval came to, read from its decision record: the process that held the
 * sale is gone (it crashed), but the restored agent carried the approved task out, or the approval
 * was rejected or expired. Undefined while the decision has no outcome yet.
 */
async function heldOutcomeOf(runtime: MandateRuntime, held: unknown): Promise<SaleWork | undefined> {
  const decisionId = (held as { decisionId?: unknown } | null)?.decisionId;
  if (typeof decisionId !== 'string') return undefined;
  const decision = await runtime.store?.getDecision(decisionId);
  if (decision?.outcome === undefined || decision.outcome === null) return undefined;
  const { id, agentId, verdict, outcome } = decision;
  return workOf({ decisionId: id, agentId, verdict, outcome });
}

function send(reply: FastifyReply, answer: SaleAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** Registers the x402 routes of `seller`. */
export function x402Routes(app: FastifyInstance, runtime: MandateRuntime, seller: X402Seller): void {
  const tags = ['x402'];
  const sell = async (
    request: FastifyRequest,
    reply: FastifyReply,
    sale: { capability: string; input: Record<string, unknown> },
  ) => {
    const offer = seller.offerFor(sale.capability);
    if (offer === undefined)
      throw new NotFoundError('capability', sale.capability, 'GET /x402 lists the capabilities on sale');
    const header = request.headers['payment-signature'];
    const url = `${request.protocol}://${request.host}${request.url.split('?')[0]}`;
    const answer = await seller.sell({
      offer,
      url,
      header: typeof header === 'string' ? header : undefined,
      work: async (payer) => {
        const by = { kind: 'agent' as const, id: `x402:${payer}` };
        const run = await runGoverned(runtime, { capability: sale.capability, input: sale.input, by });
        if (run.status === 'done') return workOf(run.result);
        const { id: approvalId, decisionId, agentId } = run.approval;
        return {
          kind: 'held',
          body: { status: 'pending', approvalId, decisionId, agentId },
          later: run.finished.then(workOf),
        };
      },
      heldOutcome: (held) => heldOutcomeOf(runtime, held),
    });
    return send(reply, answer);
  };
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/x402',
    { schema: { summary: 'The capabilities on sale behind x402, with price, asset, payee and network', tags } },
    async () => ({
      offers: [...runtime.capabilities()]
        .map((c) => seller.offerFor(c.name))
        .filter((o) => o !== undefined)
        .map((o) => ({ capability: o.capability, description: o.description ?? null, ...seller.requirementsOf(o) })),
    }),
  );
  typed.get(
    '/x402/:capability',
    {
      schema: {
        summary:
          'A capability sold behind x402, with the query as the task input: 402 with PAYMENT-REQUIRED, or with PAYMENT-SIGNATURE the governed task, settled once per authorization',
        tags,
        params,
        querystring: query,
      },
    },
    async (request, reply) => sell(request, reply, { capability: request.params.capability, input: request.query }),
  );
  typed.post(
    '/x402/:capability',
    {
      schema: {
        summary:
          'A capability sold behind x402, with the JSON body as the task input: 402 with PAYMENT-REQUIRED, or with PAYMENT-SIGNATURE the governed task, settled once per authorization',
        tags,
        params,
        body,
      },
    },
    async (request, reply) =>
      sell(request, reply, { capability: request.params.capability, input: request.body ?? {} }),
  );
}
