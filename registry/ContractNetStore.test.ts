import { describe, expect, it } from 'vitest';
import { MemoryContractNetStore, type TaskRecord } from './ContractNetStore.ts';

const record = (over: Partial<TaskRecord> = {}): TaskRecord => ({
  id: 't1',
  manager: 'did:key:dead',
  subtasks: [{ id: 'quote', capability: 'fx.quote', input: {} }],
  status: 'open',
  done: {},
  running: {},
  updatedAt: 1,
  ...over,
});

describe('MemoryContractNetStore adoption', () => {
  it('contract net store - of two adopters racing for one open record exactly one wins; the record names it, and only it may adopt again', async () => {
    const store = new MemoryContractNetStore();
    await store.save(record());
    const [a] = await store.adoptable('did:key:dead', 'did:key:a');
    const [b] = await store.adoptable('did:key:dead', 'did:key:b');
    const [wa, wb] = await Promise.all([store.adopt(a!, 'did:key:a', 2), store.adopt(b!, 'did:key:b', 2)]);
    expect(wa).toEqual({ won: true, record: record() });
    expect(wb).toEqual({ won: false, status: 'adopted', holder: 'did:key:a' });
    expect(await store.get('did:key:dead', 't1')).toMatchObject({
      status: 'adopted',
      adoptedBy: 'did:key:a',
      updatedAt: 2,
    });
    // A crash before the winner wrote its copy: the record is still adoptable by it (and by nobody else).
    expect(await store.adoptable('did:key:dead', 'did:key:a')).toHaveLength(1);
    expect(await store.adoptable('did:key:dead', 'did:key:b')).toEqual([]);
    expect(await store.adopt(a!, 'did:key:a', 3)).toEqual({ won: true, record: { ...record(), updatedAt: 2 } });
  });

  it('contract net store - a record that finished or vanished is lost to every adopter', async () => {
    const store = new MemoryContractNetStore();
    await store.save(record({ status: 'completed' }));
    expect(await store.adopt(record(), 'did:key:a', 2)).toEqual({ won: false, status: 'completed', holder: undefined });
    expect(await store.adopt(record({ id: 'gone' }), 'did:key:a', 2)).toEqual({
      won: false,
      status: 'missing',
      holder: undefined,
    });
  });
});
