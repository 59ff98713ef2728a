import { describe, expect, it } from 'vitest';
import { SnapshotReader } from './SnapshotReader.ts';

interface Row {
  agent: string;
  seq: number;
}

/** A reader over a fake query whose answers the test releases one at a time. */
function reader() {
  const queries: { ids: string[]; answer: (rows: Row[]) => void; fail: (e: Error) => void }[] = [];
  const r = new SnapshotReader<Row>({
    query: (ids) => new Promise((answer, fail) => queries.push({ ids, answer, fail })),
    agentOf: (row) => row.agent,
    maxBatch: 2,
  });
  return { r, queries };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('snapshot reader', () => {
  it('snapshot reader - loads asked for together share one query, and each gets its own agent rows', async () => {
    const { r, queries } = reader();
    const a = r.load('a');
    const b = r.load('b');
    await tick();
    expect(queries.map((q) => q.ids)).toEqual([['a', 'b']]);
    queries[0]!.answer([{ agent: 'b', seq: 3 }]);
    expect(await a).toEqual([]);
    expect(await b).toEqual([{ agent: 'b', seq: 3 }]);
  });

  it('snapshot reader - a load asked for while a query runs is answered by the next query, never by the one in flight', async () => {
    const { r, queries } = reader();
    const early = r.load('x');
    await tick();
    expect(queries).toHaveLength(1);
    // A commit acknowledged now may be missing from the statement already sent: the next load must not use it.
    const late = r.load('x');
    await tick();
    expect(queries).toHaveLength(1);
    queries[0]!.answer([{ agent: 'x', seq: 1 }]);
    expect(await early).toEqual([{ agent: 'x', seq: 1 }]);
    await tick();
    expect(queries).toHaveLength(2);
    queries[1]!.answer([{ agent: 'x', seq: 2 }]);
    expect(await late).toEqual([{ agent: 'x', seq: 2 }]);
  });

  it('snapshot reader - batches hold at most maxBatch agents; a failed query rejects only its own loads', async () => {
    const { r, queries } = reader();
    const loads = ['a', 'b', 'c'].map((id) => r.load(id));
    await tick();
    expect(queries.map((q) => q.ids)).toEqual([['a', 'b']]);
    queries[0]!.fail(new Error('connection lost'));
    await expect(loads[0]).rejects.toThrow('connection lost');
    await expect(loads[1]).rejects.toThrow('connection lost');
    await tick();
    expect(queries[1]!.ids).toEqual(['c']);
    queries[1]!.answer([{ agent: 'c', seq: 7 }]);
    expect(await loads[2]).toEqual([{ agent: 'c', seq: 7 }]);
  });

  it('snapshot reader - close waits for the loads queued and refuses new ones with MANDATE_ERR_STORE_CLOSED', async () => {
    const { r, queries } = reader();
    const pending = r.load('a');
    await tick();
    const closed = r.close();
    await expect(r.load('b')).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_CLOSED' });
    queries[0]!.answer([{ agent: 'a', seq: 1 }]);
    await closed;
    expect(await pending).toEqual([{ agent: 'a', seq: 1 }]);
  });
});
