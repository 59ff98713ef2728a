/**
 * Operators' view of x402 sales that need one: `GET /api/x402/sales` lists the sales under way,
 * interrupted or held (a sale whose process crashed mid-task is recovered first: void, expired,
 * resumable or interrupted, see `x402SaleRecovery.ts`), and `POST /api/x402/sales/:id/resolve`
 * resumes or releases an interrupted one, audited before it applies. When the gateway is ready the
 * seller scans for sales a crash interrupted (`X402Seller.start`), so their alerts do not wait for a
 * buyer's retry, and settles once the delivered sales whose settle a crash left unrecorded; a scan
 * that fails is logged and tried again.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StoredSale, X402Seller } from '../../actors/index.ts';
import { NotFoundError, StateConflictError } from '../../runtime/index.ts';
import { principalOf } from '../authenticate.ts';
import { ReasonSchema } from '../schemas.ts';

const STATUSES = [
  'working',
  'interrupted',
  'held',
  'resumable',
  'delivered',
  'settling',
  'settled',
  'refused',
  'void',
  'expired',
  'released',
] as const;

const SaleParamsSchema = z
  .object({
    id: z
      .string()
      .regex(/^eip155:\d+:0x[0-9a-f]{40}:0x[0-9a-f]{64}$/, 'a sale id <network>:<payer>:<nonce>, lower-case'),
  })
  .strict();
const ListQuerySchema = z.object({ status: z.enum(STATUSES).optional() }).strict();
const ResolveBodySchema = z.object({ action: z.enum(['resume', 'release']), reason: ReasonSchema }).strict();

function view(sale: StoredSale): Record<string, unknown> {
  return {
    id: sale.id,
    status: sale.status,
    capability: sale.capability,
    payer: sale.payer,
    payTo: sale.payTo,
    nonce: sale.nonce,
    value: sale.value,
    validBefore: sale.validBefore,
    result: sale.result,
    createdAt: sale.createdAt.getTime(),
    updatedAt: sale.updatedAt.getTime(),
  };
}

/** Registers the operator routes over `seller`'s sales. */
export function x402SaleRoutes(app: FastifyInstance, seller: X402Seller): void {
  app.addHook('onReady', async () => {
    await seller.start().catch((error: unknown) => app.log.error({ err: error }, 'x402 sale scan at start failed'));
  });
  app.addHook('onClose', async () => seller.stop());
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['x402'];
  api.get(
    '/api/x402/sales',
    {
      config: { permission: 'read' },
      schema: {
        summary:
          'x402 sales under way, interrupted or held (default), or in one status; a sale whose process crashed mid-task is recovered first',
        tags,
        querystring: ListQuerySchema,
      },
    },
    async (request) => {
      const { status } = request.query;
      const sales = await seller.sales(status === undefined ? undefined : [status]);
      return { sales: sales.map(view) };
    },
  );
  api.post(
    '/api/x402/sales/:id/resolve',
    {
      config: { permission: 'approval.decide' },
      schema: {
        summary:
          'Resume (the buyer retry runs the task, settled once) or release (ended unsettled) an interrupted x402 sale; audited x402.sale.resumable|released',
        tags,
        params: SaleParamsSchema,
        body: ResolveBodySchema,
      },
    },
    async (request) => {
      const { id } = request.params;
      const { action, reason } = request.body;
      const resolved = await seller.resolve({ id, action, by: principalOf(request), reason });
      if (resolved.kind === 'missing') throw new NotFoundError('x402 sale', id);
      if (resolved.kind === 'not-interrupted')
        throw new StateConflictError(
          `The x402 sale ${id} is ${resolved.sale.status}, not interrupted; only an interrupted sale is resolved by an operator`,
          { details: { id, status: resolved.sale.status } },
        );
      return { ok: true, sale: view(resolved.sale) };
    },
  );
}
