import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../support/db.ts';

/**
 * Regression: on the embedded driver, several `pg` connections share one PGlite session. The
 * socket server used to hand PGlite each wire message as it came, so one connection's
 * Parse/Bind/Execute/Sync could land between another's: its Bind then met the other's unnamed
 * statement ("bind message supplies 2 parameters, but prepared statement "" requires 7").
 */
const T0 = 1_790_000_000_000;

/** A bare wire-protocol client, so a test can send one exchange in two writes as a slow client would. */
class WireClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  readonly #messages: Buffer[] = [];
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 5 && this.#buffer.length >= 1 + this.#buffer.readInt32BE(1)) {
        const length = 1 + this.#buffer.readInt32BE(1);
        this.#messages.push(this.#buffer.subarray(0, length));
        this.#buffer = this.#buffer.subarray(length);
      }
      this.#wake?.();
    });
    socket.on('close', () => this.#wake?.());
  }

  static async open(databaseUrl: string): Promise<WireClient> {
    const dir = decodeURIComponent(/^postgresql:\/\/postgres@([^/]+)\//.exec(databaseUrl)![1]!);
    const socket = connect(join(dir, '.s.PGSQL.5432'));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new WireClient(socket);
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8 + params.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    params.copy(startup, 8);
    socket.write(startup);
    await client.untilReady();
    return client;
  }

  send(...messages: Buffer[]): void {
    this.#socket.write(Buffer.concat(messages));
  }

  /** The messages up to and including the next ReadyForQuery. */
  async untilReady(): Promise<Buffer[]> {
    for (;;) {
      const z = this.#messages.findIndex((m) => m[0] === 0x5a);
      if (z !== -1) return this.#messages.splice(0, z + 1);
      if (this.#socket.destroyed) throw new Error('the embedded server closed the connection');
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}
const int16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const parse = (sql: string): Buffer => message('P', Buffer.concat([Buffer.from(`\0${sql}\0`), int16(0)]));
const bind = (params: string[]): Buffer =>
  message(
    'B',
    Buffer.concat([
      Buffer.from('\0\0'),
      int16(0),
      int16(params.length),
      ...params.map((p) => {
        const len = Buffer.alloc(4);
        len.writeInt32BE(Buffer.byteLength(p), 0);
        return Buffer.concat([len, Buffer.from(p)]);
      }),
      int16(0),
    ]),
  );
const execute = message('E', Buffer.from([0, 0, 0, 0, 0]));
const sync = message('S', Buffer.alloc(0));
const query = (sql: string): Buffer => message('Q', Buffer.from(`${sql}\0`));

/** What an answer says: each error's message, and each row's text values. */
function read(answer: Buffer[]): { errors: string[]; rows: string[][] } {
  const errors: string[] = [];
  const rows: string[][] = [];
  for (const m of answer) {
    if (m[0] === 0x45) errors.push(/M([^\0]*)/.exec(m.subarray(5).toString())?.[1] ?? 'error');
    if (m[0] === 0x44) {
      const row: string[] = [];
      let at = 7;
      for (let c = 0; c < m.readInt16BE(5); c++) {
        const len = m.readInt32BE(at);
        row.push(m.subarray(at + 4, at + 4 + len).toString());
        at += 4 + len;
      }
      rows.push(row);
    }
  }
  return { errors, rows };
}
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('embedded store - concurrent statements', () => {
  let t: TestStore;
  let pool: pg.Pool;
  beforeAll(async () => {
    // The server takes poolSize + 2 connections: the bare-client tests run first, while the store's
    // pool is still small; the pool tests after them fit beside a full store pool.
    t = await openTestStore('embedded', { poolSize: 6 });
    pool = new pg.Pool({ connectionString: t.store.databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    await t?.[Symbol.asyncDispose]();
  });

  it('embedded store - an exchange sent in two writes is not split by another connection', async () => {
    const slow = await WireClient.open(t.store.databaseUrl);
    const quick = await WireClient.open(t.store.databaseUrl);
    try {
      const seven = ['1', '2', '3', '4', '5', '6', '7'];
      slow.send(parse(`select ${seven.map((_, k) => `$${k + 1}::int`).join(', ')}`));
      await pause(50);
      quick.send(parse('select $1::int, $2::int'), bind(['8', '9']), execute, sync);
      await pause(50);
      slow.send(bind(seven), execute, sync);
      expect(read(await slow.untilReady())).toEqual({ errors: [], rows: [seven] });
      expect(read(await quick.untilReady())).toEqual({ errors: [], rows: [['8', '9']] });
    } finally {
      slow.close();
      quick.close();
    }
  });

  it('embedded store - a connection that vanishes mid-transaction or mid-exchange is rolled back and blocks no one', async () => {
    await pool.query('create table if not exists vanish_probe (v int)');
    const inTransaction = await WireClient.open(t.store.databaseUrl);
    inTransaction.send(query('begin; insert into vanish_probe values (1)'));
    expect(read(await inTransaction.untilReady()).errors).toEqual([]);
    const waiting = pool.query('insert into vanish_probe values ($1)', [2]);
    inTransaction.close();
    await waiting;
    const midExchange = await WireClient.open(t.store.databaseUrl);
    midExchange.send(parse('select $1::int'));
    await pause(50);
    midExchange.close();
    const { rows } = await pool.query<{ v: number }>('select v from vanish_probe order by v');
    expect(rows.map((r) => r.v)).toEqual([2]);
    expect((await pool.query<{ n: string }>('select $1::text as n', ['after'])).rows).toEqual([{ n: 'after' }]);
  });

  it('embedded store - parameterized queries on several connections each bind their own statement', async () => {
    const queries = Array.from({ length: 240 }, (_, i) => {
      const count = 1 + (i % 7);
      const params = Array.from({ length: count }, (_, k) => i * 10 + k);
      const columns = params.map((_, k) => `$${k + 1}::int as c${k}`).join(', ');
      return { params, promise: pool.query<Record<string, number>>(`select ${columns}`, params) };
    });
    const results = await Promise.allSettled(queries.map((q) => q.promise));
    const failures = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
    expect(failures).toEqual([]);
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') expect(Object.values(r.value.rows[0]!)).toEqual(queries[i]!.params);
    });
  });

  it('embedded store - reading reputation while it is written returns every event', async () => {
    const writes = Array.from({ length: 60 }, (_, i) =>
      t.store.reputation.append({ agentId: 'busy', kind: 'outcome', delta: 1, score: i, reason: `r${i}`, at: T0 + i }),
    );
    const reads = Array.from({ length: 60 }, () => t.store.reputation.list('busy', 500));
    const settled = await Promise.allSettled([...writes, ...reads]);
    expect(settled.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    const events = await t.store.reputation.list('busy', 500);
    expect(events.map((e) => e.reason).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `r${i}`).sort());
  });

  it('embedded store - another connection never runs inside an open transaction', async () => {
    const owner = await pool.connect();
    try {
      await owner.query('create table if not exists concurrent_probe (v int)');
      await owner.query('begin');
      await owner.query('insert into concurrent_probe values ($1)', [1]);
      // Issued while the transaction is open: it must run after it, not inside it.
      const outside = pool.query('insert into concurrent_probe values ($1)', [2]);
      await new Promise((r) => setTimeout(r, 50));
      await owner.query('rollback');
      await outside;
    } finally {
      owner.release();
    }
    const { rows } = await pool.query<{ v: number }>('select v from concurrent_probe order by v');
    expect(rows.map((r) => r.v)).toEqual([2]);
  });
});
