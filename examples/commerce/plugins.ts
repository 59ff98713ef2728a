import {
  createMcpActuator,
  createX402Actuator,
  quoteX402,
  routeActuators,
  type Eip3009Authorizations,
  type McpClients,
  type X402Asset,
} from 'mandate/actors';
import { PluginRegistry, type ChainConnection } from 'mandate';
import type { DataSeller } from './seller.ts';

/** Where the buyer is: each dataset's last outcome (`none` until tried) and whether it converted. */
export interface BuyerBook {
  rate: { status: string; value?: string };
  depth: { status: string; code?: string; reason?: string };
  converted?: string;
}

/** How much EUR the buyer converts with the rate it bought. */
const EUR = 1_000;

/**
 * The buyer's next step, from its book: buy the EUR/USD rate; once it has it, convert with the MCP
 * tool; then try the order-book depth (priced over its budget). In a dry-run the rate purchase is
 * would-have-sent and no rate arrives, so there is nothing to convert: it goes on to the depth.
 */
function stepOf(book: BuyerBook): string {
  if (book.rate.status === 'none') return 'buy-rate';
  if (book.rate.value !== undefined && book.converted === undefined) return 'convert';
  if (book.depth.status === 'none') return 'buy-depth';
  return 'done';
}

/**
 * The commerce example's plugins: `commerce.quotes` (the price of the next dataset, asked from the
 * seller without paying, and the step), `commerce.act` (x402 payments and MCP tool calls, both
 * external effects under the whole supervisor chain) and `commerce.book` (what the outcome did).
 */
export function commercePlugins(o: {
  seller: DataSeller;
  asset: X402Asset;
  mcp: McpClients;
  book: BuyerBook;
  authorizations?: Eip3009Authorizations;
  chain?: ChainConnection;
}): PluginRegistry {
  const { book, chain } = o;
  // A dry-run never signs: the runtime only calls prepare(), which reads the action alone.
  const pay =
    o.authorizations !== undefined && chain !== undefined
      ? createX402Actuator({
          authorizations: o.authorizations,
          asset: o.asset,
          signerOf: (id) => chain.wallets.forAgent(id),
        })
      : createX402Actuator({ dryRun: true, asset: o.asset });
  return new PluginRegistry()
    .perceiver('commerce.quotes', async ({ now }) => {
      const step = stepOf(book);
      const path = step === 'buy-depth' ? '/depth' : '/eurusd';
      const quote = step.startsWith('buy') ? await quoteX402(o.seller.urlOf(path), o.asset) : null;
      const rate = book.rate.value;
      // The idempotency keys: a dataset is bought (and paid) once a day, and converted once a day, across
      // retries and restarts — a restart finds the day's purchase recorded and does not pay again.
      const day = new Date(now).toISOString().slice(0, 10);
      return {
        step,
        quote,
        keys: { purchase: `${path.slice(1)}:${day}`, conversion: `convert:${day}` },
        tool: rate === undefined ? null : { arguments: { eur: EUR, rate } },
      };
    })
    .actuator(
      routeActuators({ 'x402.pay': pay, 'mcp.tool.call': createMcpActuator(o.mcp) }, 'commerce.act'),
      ['data.buy', 'mcp.rates.convert'],
      'Pay for data over x402 (EIP-3009) and call MCP tools',
    )
    .learner('commerce.book', async ({ decision, outcome }) => {
      const action = (decision as { action?: { type: string; params: Record<string, unknown> } } | null)?.action;
      if (action?.type === 'x402.pay') {
        const url = String(action.params.url);
        if (url.endsWith('/eurusd')) {
          const body = outcome.receipt?.body;
          const rate = typeof body === 'string' ? (JSON.parse(body) as { eurUsd?: string }).eurUsd : undefined;
          book.rate = { status: outcome.status, ...(rate === undefined ? {} : { value: rate }) };
        } else
          book.depth = {
            status: outcome.status,
            ...(outcome.error === undefined ? {} : { code: outcome.error.code, reason: outcome.error.message }),
          };
      } else if (action?.type === 'mcp.tool.call' && outcome.status === 'succeeded')
        book.converted = JSON.stringify(outcome.receipt?.content ?? null);
    });
}
