/**
 * Local servers speaking two indexers' real formats, for the chain-data perceivers' tests: a
 * graph-node shaped GraphQL endpoint (executed by graphql-js against a subgraph-style schema:
 * `first`/`orderBy`/`where`/`block` arguments, `_meta`, time travel by block) and a Covalent-style
 * REST API (`balances_v2`, paged `transfers_v2`, bearer auth, the `{ data, error }` envelope).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql } from 'graphql';

/** A row of the subgraph, visible from `block` on. */
export interface SubgraphTransfer {
  id: string;
  from: string;
  to: string;
  value: string;
  block: number;
}

const SDL = `
  scalar Bytes
  scalar BigInt
  input Block_height { number: Int, hash: Bytes }
  input Transfer_filter { id_gt: ID, to: Bytes, from: Bytes }
  enum Transfer_orderBy { id, value }
  enum OrderDirection { asc, desc }
  type Transfer { id: ID!, from: Bytes!, to: Bytes!, value: BigInt! }
  type _Block_ { number: Int!, hash: Bytes, timestamp: Int }
  type _Meta_ { block: _Block_!, deployment: String!, hasIndexingErrors: Boolean! }
  type Query {
    transfers(first: Int = 100, skip: Int = 0, orderBy: Transfer_orderBy, orderDirection: OrderDirection,
      where: Transfer_filter, block: Block_height): [Transfer!]!
    _meta(block: Block_height): _Meta_
  }`;

/** What the subgraph holds and how it behaves; tests change it between calls. */
export interface SubgraphState {
  head: { number: number; timestamp: number };
  hasIndexingErrors: boolean;
  rows: SubgraphTransfer[];
  /** Called before each page is answered (to add rows mid-read, fail a request, …). */
  onRequest?: (n: number) => { status: number; body?: string } | undefined;
  requests: string[];
}

interface TransferArgs {
  first: number;
  orderBy?: string;
  where?: { id_gt?: string; to?: string; from?: string };
  block?: { number?: number };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  const server = createServer((req, res) => {
    handler(req, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Starts the subgraph at `<url>/subgraphs/name/test`. */
export async function startSubgraph(state: SubgraphState): Promise<{ server: Server; url: string }> {
  const schema = buildSchema(SDL);
  const rootValue = {
    _meta: () => ({ block: state.head, deployment: 'Qm-test', hasIndexingErrors: state.hasIndexingErrors }),
    transfers: (args: TransferArgs) => {
      if (args.first > 1000) throw new Error('The `first` argument must be between 0 and 1000');
      const at = args.block?.number ?? state.head.number;
      if (at > state.head.number) throw new Error(`Block ${at} is not yet indexed (head ${state.head.number})`);
      return state.rows
        .filter((r) => r.block <= at)
        .filter((r) => args.where?.id_gt === undefined || r.id > args.where.id_gt)
        .filter((r) => args.where?.to === undefined || r.to === args.where.to)
        .filter((r) => args.where?.from === undefined || r.from === args.where.from)
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, args.first);
    },
  };
  const started = await listen(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as { query: string };
    state.requests.push(body.query);
    const fault = state.onRequest?.(state.requests.length);
    if (fault !== undefined) return void res.writeHead(fault.status).end(fault.body ?? '');
    const result = await graphql({ schema, source: body.query, rootValue });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(result));
  });
  return { server: started.server, url: `${started.url}/subgraphs/name/test` };
}

/** One item of the Covalent-style transfers list. */
export interface CovalentTransferItem {
  tx_hash: string;
  block_height: number;
  block_signed_at: string;
  successful: boolean;
  transfers: Record<string, unknown>[];
}

/** What the Covalent-style API answers. */
export interface CovalentState {
  apiKey: string;
  updatedAt: string;
  balances: Record<string, unknown>[];
  transfers: CovalentTransferItem[];
  /** Inserted at the head of the transfers list once this page number has been served. */
  insertAfterPage?: { page: number; item: CovalentTransferItem };
  /** Replaces the whole answer (error envelopes, malformed bodies). */
  override?: unknown;
  requests: string[];
}

/** Starts the API at `<url>` (paths `/v1/<chain>/address/<addr>/…`). */
export async function startCovalent(state: CovalentState): Promise<{ server: Server; url: string }> {
  return listen(async (req, res) => {
    state.requests.push(req.url!);
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${state.apiKey}`)
      return void res
        .writeHead(401)
        .end(JSON.stringify({ data: null, error: true, error_message: 'Invalid API key', error_code: 401 }));
    if (state.override !== undefined) return void res.end(JSON.stringify(state.override));
    const u = new URL(req.url!, 'http://x');
    const [, , chain, , address, endpoint] = u.pathname.split('/');
    const head = { address, chain_name: chain, updated_at: state.updatedAt, quote_currency: 'USD' };
    if (endpoint === 'balances_v2')
      return void res.end(JSON.stringify({ data: { ...head, items: state.balances }, error: false }));
    if (endpoint !== 'transfers_v2') return void res.writeHead(404).end('{}');
    const page = Number(u.searchParams.get('page-number') ?? 0);
    const size = Number(u.searchParams.get('page-size') ?? 100);
    const items = state.transfers.slice(page * size, (page + 1) * size);
    const pagination = { has_more: state.transfers.length > (page + 1) * size, page_number: page, page_size: size };
    res.end(JSON.stringify({ data: { ...head, items, pagination }, error: false, error_message: null }));
    if (state.insertAfterPage?.page === page) {
      state.transfers.unshift(state.insertAfterPage.item);
      state.insertAfterPage = undefined;
    }
  });
}
