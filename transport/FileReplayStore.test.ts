import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileReplayStore } from './FileReplayStore.ts';

describe('FileReplayStore', () => {
  const dirs: string[] = [];
  const path = () => {
    const d = mkdtempSync(join(tmpdir(), 'mandate-frs-'));
    dirs.push(d);
    return join(d, 'replay.log');
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('replay store - claims are on disk when they resolve, survive reopening, and expire', async () => {
    const p = path();
    const s = FileReplayStore.open(p, 1_000);
    const claims = await Promise.all(['a', 'b', 'a'].map((k) => s.claim(k, 5_000, 1_000)));
    expect(claims).toEqual([true, true, false]);
    expect(readFileSync(p, 'utf8')).toBe('a\t5000\nb\t5000\n'); // written before the claims resolved, no close needed
    const reopened = FileReplayStore.open(p, 2_000);
    expect(await reopened.claim('a', 5_000, 2_000)).toBe(false);
    expect(await reopened.claim('c', 9_000, 2_000)).toBe(true);
    await reopened.close();
    const later = FileReplayStore.open(p, 6_000); // a and b expired: compacted away
    expect(readFileSync(p, 'utf8')).toBe('c\t9000\n');
    expect(await later.claim('a', 10_000, 6_000)).toBe(true);
    await later.close();
    await s.close();
  });

  it('replay store - a torn last line (crash mid-write, its claim never resolved) is forgotten, complete lines are kept', async () => {
    const p = path();
    writeFileSync(p, 'x\t9000\ny\t90');
    const s = FileReplayStore.open(p, 1_000);
    expect(await s.claim('x', 9_000, 1_000)).toBe(false);
    expect(await s.claim('y', 9_000, 1_000)).toBe(true);
    expect(readFileSync(p, 'utf8')).toBe('x\t9000\ny\t9000\n'); // compacted on open, then y appended
    await s.close();
  });
});
