/**
 * Indexed on-chain data from a GraphQL subgraph (The Graph's query format): `POST { query }`
 * answering `{ data, errors }`. Every read first takes the indexer's head (`_meta { block
 * { number hash timestamp } hasIndexingErrors }`), refuses it when it is behind or failing (the
 * oracles' staleness rule), then pages through an entity by `id_gt` cursor, every page pinned to
 * that one block (`block: { number }`), so a multi-page answer is one consistent snapshot.
 */
import { z } from 'zod';
import type { Clock } from '../../kernel/index.ts';
import { ChainDataInvalidError, ChainDataStaleError, ChainDataTruncatedError } from './errors.ts';
import { checkSelection, graphqlLiteral, isGraphqlName } from './graphqlLiteral.ts';
import { requestJson, type IndexerHttpOptions } from './requestJson.ts';

/** Options of {@link SubgraphSource}. */
export interface SubgraphSourceOptions extends IndexerHttpOptions {
  /** The subgraph's query URL. */
  readonly url: string;
  /** Names it in errors and facts, e.g. `uniswap-v3`; default the URL's host. */
  readonly name?: string;
  /** Oldest indexed block accepted, by its timestamp; default 10 minutes. */
  readonly maxAgeMs?: number;
  readonly clock?: Pick<Clock, 'now'>;
}

/** The block a read is pinned to. */
export interface IndexedBlock {
  readonly number: number;
  readonly hash: string | undefined;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

/** One entity list to read. */
export interface EntityQuery {
  /** The query field, e.g. `transfers`, `swaps`, `positions`. */
  readonly entity: string;
  /** Selection besides `id`, e.g. `amount from to token { symbol decimals }`. */
  readonly fields: string;
  /** The entity's filter as JSON, e.g. `{ to: "0xabc…", amount_gt: "0" }`. */
  readonly where?: Readonly<Record<string, unknown>>;
  /** Rows per page; default 100, at most 1,000 (The Graph's cap). */
  readonly pageSize?: number;
  /** Most rows read before the read is refused as truncated; default 10,000. */
  readonly maxRows?: number;
}

const Meta = z.object({
  _meta: z.object({
    block: z.object({
      number: z.number().int().nonnegative(),
      hash: z.string().nullish(),
      timestamp: z.number().int().positive().nullish(),
    }),
    hasIndexingErrors: z.boolean().optional(),
  }),
});
const Row = z.object({ id: z.string().min(1) }).passthrough();
const Answer = z.object({
  data: z.record(z.string(), z.unknown()).nullish(),
  errors: z.array(z.object({ message: z.string() }).passthrough()).optional(),
});

/** A GraphQL subgraph endpoint. */
export class SubgraphSource {
  readonly name: string;
  readonly #o: SubgraphSourceOptions;
  readonly #url: URL;

  constructor(options: SubgraphSourceOptions) {
    this.#url = new URL(options.url);
    this.name = options.name ?? this.#url.host;
    this.#o = options;
  }

  /** Runs `query` and returns its `data`; GraphQL `errors` become {@link ChainDataInvalidError}. */
  async query(query: string): Promise<Record<string, unknown>> {
    const body = await requestJson({ source: `subgraph ${this.name}`, url: this.#url, body: { query } }, this.#o);
    const answer = Answer.safeParse(body);
    if (!answer.success)
      throw new ChainDataInvalidError(
        `subgraph ${this.name} answered something that is not a GraphQL response (${JSON.stringify(body).slice(0, 200)})`,
      );
    const { data, errors } = answer.data;
    if (errors !== undefined && errors.length > 0)
      throw new ChainDataInvalidError(
        `subgraph ${this.name} refused the query: ${errors.map((e) => e.message).join('; ')}`,
        { details: { source: this.name, errors: errors.map((e) => e.message) } },
      );
    if (data === undefined || data === null)
      throw new ChainDataInvalidError(`subgraph ${this.name} answered without data or errors`);
    return data;
  }

  /** The indexer's head block, refused when it is older than `maxAgeMs` or has indexing errors. */
  async head(): Promise<IndexedBlock> {
    const data = await this.query('{ _meta { block { number hash timestamp } hasIndexingErrors } }');
    const meta = Meta.safeParse(data);
    if (!meta.success)
      throw new ChainDataInvalidError(
        `subgraph ${this.name} answered _meta without a block number (${JSON.stringify(data).slice(0, 200)})`,
      );
    const { block, hasIndexingErrors } = meta.data._meta;
    if (hasIndexingErrors === true)
      throw new ChainDataStaleError(
        `subgraph ${this.name} reports indexing errors at block ${block.number}; its data may be missing events`,
        { details: { source: this.name, block: block.number } },
      );
    if (block.timestamp === undefined || block.timestamp === null)
      throw new ChainDataInvalidError(
        `subgraph ${this.name} gives no timestamp for block ${block.number}, so its freshness cannot be checked`,
      );
    const timestamp = block.timestamp * 1000;
    const age = (this.#o.clock?.now() ?? Date.now()) - timestamp;
    const maxAge = this.#o.maxAgeMs ?? 600_000;
    if (age > maxAge)
      throw new ChainDataStaleError(
        `subgraph ${this.name} is behind: its latest block ${block.number} is ${Math.round(age / 1000)} s old (allowed ${Math.round(maxAge / 1000)} s)`,
        { details: { source: this.name, block: block.number, ageMs: age } },
      );
    return { number: block.number, hash: block.hash ?? undefined, timestamp };
  }

  /** Every row of `q` at `block` (read with {@link head}), in `id` order. */
  async list(q: EntityQuery, block: IndexedBlock): Promise<Record<string, unknown>[]> {
    if (!isGraphqlName(q.entity))
      throw new ChainDataInvalidError(`entity ${JSON.stringify(q.entity)} is not a GraphQL name, e.g. "transfers"`);
    const fields = checkSelection(q.fields, `the fields of ${q.entity}`);
    const pageSize = q.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
      throw new ChainDataInvalidError(`pageSize ${pageSize} for ${q.entity} must be an integer from 1 to 1000`);
    const maxRows = q.maxRows ?? 10_000;
    const rows: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    let lastId = '';
    for (;;) {
      const where = graphqlLiteral({ ...q.where, id_gt: lastId });
      const page = await this.query(
        `{ page: ${q.entity}(first: ${pageSize}, orderBy: id, orderDirection: asc, where: ${where}, block: { number: ${block.number} }) { id ${fields} } }`,
      );
      const parsed = z.array(Row).safeParse(page['page']);
      if (!parsed.success)
        throw new ChainDataInvalidError(
          `subgraph ${this.name} answered ${q.entity} rows without string ids (${JSON.stringify(page['page']).slice(0, 200)})`,
        );
      for (const row of parsed.data) {
        if (seen.has(row.id))
          throw new ChainDataInvalidError(
            `subgraph ${this.name} answered the ${q.entity} row ${JSON.stringify(row.id)} twice; the id_gt cursor did not advance`,
          );
        seen.add(row.id);
        lastId = row.id;
        rows.push(row);
      }
      if (rows.length > maxRows)
        throw new ChainDataTruncatedError(
          `${q.entity} on subgraph ${this.name} has more than ${maxRows} rows at block ${block.number}; narrow the filter or raise maxRows`,
          { details: { source: this.name, entity: q.entity, maxRows } },
        );
      if (parsed.data.length < pageSize) return rows;
    }
  }
}
