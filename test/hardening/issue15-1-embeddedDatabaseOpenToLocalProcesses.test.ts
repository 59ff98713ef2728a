import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgres } from '../../runtime/persistence/index.ts';

/** Inodes of the TCP sockets this process listens on (from /proc, so nothing about the server is trusted). */
function tcpListenInodes(): Set<string> {
  const mine = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) mine.add(m[1]!);
    } catch {
      // the fd closed while listing
    }
  }
  const listening = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && mine.has(cols[9]!)) listening.add(cols[9]!);
    }
  }
  return listening;
}

function looseModes(root: string): string[] {
  const loose: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if ((st.mode & 0o077) !== 0) loose.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(root);
  return loose;
}

describe('issue 15 #1 - the embedded database is open to any local process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-i15-1-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('embedded database - serves no TCP port, only a Unix socket in a 0700 directory', async () => {
    const before = tcpListenInodes();
    const db = await EmbeddedPostgres.start({ dataDir: join(dir, 'data') });
    try {
      const opened = [...tcpListenInodes()].filter((i) => !before.has(i));
      expect(opened).toEqual([]);
      const host = decodeURIComponent(new URL(db.url).hostname);
      expect(host).toBe(db.socketDir);
      expect(statSync(db.socketDir).mode & 0o777).toBe(0o700);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      expect((await client.query('select 41 + 1 as n')).rows).toEqual([{ n: 42 }]);
      await client.end();
    } finally {
      await db.stop();
    }
    expect(() => statSync(db.socketDir)).toThrow();
  });

  it('embedded database - data files are 0600 and directories 0700, an older looser cluster is tightened', async () => {
    const dataDir = join(dir, 'data');
    // What a cluster created before the fix looks like: world-readable and -writable files.
    writeFileSync(join(dataDir, 'left-by-an-old-version'), 'x');
    chmodSync(join(dataDir, 'left-by-an-old-version'), 0o666);
    chmodSync(join(dataDir, 'base'), 0o777);
    const db = await EmbeddedPostgres.start({ dataDir });
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query('create table if not exists t (x int)');
      await client.query('insert into t values (1)');
      await client.query('checkpoint');
      await client.end();
      expect(looseModes(dataDir)).toEqual([]);
    } finally {
      await db.stop();
    }
    expect(looseModes(dataDir)).toEqual([]);
  });
});
