import { describe, expect, it } from 'vitest';
import { GroupCommit } from './GroupCommit.ts';

interface FakeTx {
  log: string[];
}

/** A fake database: records which jobs ran in which transaction and when each committed. */
function fakeDb(fail: (jobs: string[], attempt: number) => Error | undefined = () => undefined) {
  const commits: string[][] = [];
  let attempt = 0;
  const writer = new GroupCommit<string, FakeTx>({
    transaction: async (work) => {
      const tx: FakeTx = { log: [] };
      const result = await work(tx);
      await new Promise((r) => setImmediate(r));
      const error = fail(tx.log, ++attempt);
      if (error !== undefined) throw error;
      commits.push(tx.log);
      return result;
    },
    apply: async (tx, jobs) => {
      tx.log.push(...jobs);
      return { results: jobs.map((j) => `ok:${j}`) };
    },
    maxBatch: 100,
    retry: { attempts: 3, baseDelayMs: 1, sleep: async () => undefined },
  });
  return { writer, commits };
}

describe('group commit', () => {
  it('persistence - concurrent writes share one commit, and each promise settles only after its commit', async () => {
    const { writer, commits } = fakeDb();
    const seen: string[] = [];
    const all = ['a', 'b', 'c', 'd'].map((j) => writer.submit(j).then((r) => seen.push(`${r}@${commits.length}`)));
    await Promise.all(all);
    expect(commits).toEqual([['a', 'b', 'c', 'd']]);
    expect(seen).toEqual(['ok:a@1', 'ok:b@1', 'ok:c@1', 'ok:d@1']);
  });

  it('persistence - writes arriving during a commit go into the next one', async () => {
    const { writer, commits } = fakeDb();
    const first = writer.submit('a');
    await Promise.resolve();
    await Promise.resolve();
    const second = writer.submit('b');
    await Promise.all([first, second]);
    expect(commits).toEqual([['a'], ['b']]);
  });

  it('persistence - a job that fails on its own is isolated; its batch-mates commit', async () => {
    const { writer, commits } = fakeDb((jobs) => (jobs.includes('bad') ? new Error('value too long') : undefined));
    const results = await Promise.allSettled(['x', 'bad', 'y'].map((j) => writer.submit(j)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(commits).toEqual([['x'], ['y']]);
  });

  it('persistence - transient failures are retried; past the budget every job fails with MANDATE_ERR_STORE_UNAVAILABLE', async () => {
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    const flaky = fakeDb((_jobs, attempt) => (attempt < 3 ? lost : undefined));
    await expect(flaky.writer.submit('a')).resolves.toBe('ok:a');
    expect(flaky.commits).toEqual([['a']]);
    const down = fakeDb(() => lost);
    const results = await Promise.allSettled([down.writer.submit('a'), down.writer.submit('b')]);
    for (const r of results)
      expect(r).toMatchObject({ status: 'rejected', reason: { code: 'MANDATE_ERR_STORE_UNAVAILABLE' } });
    expect(down.commits).toEqual([]);
  });

  it('persistence - a closed writer refuses new jobs after committing the queued ones', async () => {
    const { writer, commits } = fakeDb();
    const queued = writer.submit('last');
    await writer.close();
    await expect(queued).resolves.toBe('ok:last');
    await expect(writer.submit('late')).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_CLOSED' });
    expect(commits).toEqual([['last']]);
  });

  it('persistence - the transaction owner gets the whole batch result, to act on it once committed', async () => {
    const committed: string[][] = [];
    const writer = new GroupCommit<string, FakeTx, { results: unknown[]; touched: string[] }>({
      transaction: async (work) => {
        const batch = await work({ log: [] });
        committed.push(batch.touched);
        return batch;
      },
      apply: async (_tx, jobs) => ({ results: jobs.map((j) => j.length), touched: jobs.map((j) => j.toUpperCase()) }),
      maxBatch: 10,
      retry: { attempts: 1, baseDelayMs: 1, sleep: async () => undefined },
    });
    expect(await Promise.all([writer.submit('ab'), writer.submit('c')])).toEqual([2, 1]);
    expect(committed).toEqual([['AB', 'C']]);
  });
});
