import { describe, expect, it } from 'vitest';
import type { AuditVerdict } from '../types.ts';
import { AuditPager, nameOf, shortDid, verdictText, whereOf } from './auditParts.ts';

const DID = 'did:key:z6Mker15MhXmRMBSP6A6DDy3REZvUWTYkjBv4hrYJoXWdFgQ';

describe('audit panel - names, places, paging and the verdict', () => {
  it('audit panel - an agent DID reads as its name beside the short DID; unknown DIDs shorten, other ids stay', () => {
    const names = new Map([[DID, 'payables']]);
    expect(nameOf(DID, names, 'agent')).toBe('payables (did:key:z6Mker…dFgQ)');
    expect(nameOf('did:key:z6MkUnknownUnknownUnknown', names, 'agent')).toBe('agent:did:key:z6MkUn…nown');
    expect(nameOf('alice', names, 'human')).toBe('human:alice');
    expect(nameOf('INV-1003', names)).toBe('INV-1003');
    expect(shortDid('did:key:short')).toBe('did:key:short');
  });

  it('audit panel - where shows the recorded place and the node and region the data carries, once', () => {
    expect(whereOf({ where: 'payables/ops', data: {} })).toBe('payables/ops');
    expect(whereOf({ where: 'payables/ops', data: { node: 'node-b', region: 'eu-west' } })).toBe(
      'payables/ops · node node-b · region eu-west',
    );
    expect(whereOf({ where: 'node-b/kyb', data: { nodeId: 'node-b' } })).toBe('node-b/kyb');
    expect(whereOf({ where: '', data: { region: 'us' } })).toBe('region us');
  });

  it('audit panel - the pager walks older pages by cursor and comes back newer without guessing', () => {
    const p = new AuditPager();
    expect([p.page, p.cursor, p.hasNewer, p.hasOlder]).toEqual([1, undefined, false, false]);
    expect(p.older()).toBeUndefined();
    p.loaded('s900');
    expect(p.status(100, 100)).toBe('entries 1–100 shown (page 1), older available');
    expect(p.older()).toBe('s900');
    expect([p.page, p.cursor, p.hasNewer, p.hasOlder]).toEqual([2, 's900', true, false]);
    p.loaded('s800');
    expect(p.older()).toBe('s800');
    p.loaded(null);
    expect(p.status(42, 100)).toBe('entries 201–242 shown (page 3)');
    expect(p.newer()).toBe(true);
    expect(p.cursor).toBe('s900');
    expect(p.newer()).toBe(true);
    expect(p.cursor).toBeUndefined();
    expect(p.newer()).toBe(false);
    p.loaded('s900');
    p.older();
    p.reset();
    expect([p.page, p.cursor]).toEqual([1, undefined]);
    expect(p.status(0, 100)).toBe('no entries shown (page 1)');
  });

  it('audit panel - the verdict says verified or where the chain breaks', () => {
    const base: AuditVerdict = {
      ok: true,
      entries: 85,
      head: { seq: 85, hash: 'ab' },
      checkpoints: 2,
      latestCheckpoint: { seq: 80, hash: 'cd', at: 1, signer: DID, signature: 'x' },
      breaks: [],
      checkedAt: 1,
    };
    expect(verdictText(base)).toEqual({
      ok: true,
      text: 'Chain verified: 85 entries, head seq 85, 2 signed checkpoints, latest at seq 80.',
    });
    const broken = verdictText({
      ...base,
      ok: false,
      breaks: [
        { seq: 2, reason: 'hash-mismatch', message: 'entry 2 was altered' },
        { seq: 3, reason: 'prev-hash-mismatch', message: 'x' },
      ],
    });
    expect(broken.ok).toBe(false);
    expect(broken.text).toBe(
      'Chain BROKEN at seq 2 (hash-mismatch): entry 2 was altered. 1 more break. Read 85 entries, head seq 85, 2 signed checkpoints, latest at seq 80.',
    );
    expect(verdictText({ ...base, head: null, entries: 0, checkpoints: 0, latestCheckpoint: null }).text).toBe(
      'Chain verified: 0 entries, empty log, no signed checkpoint.',
    );
  });
});
