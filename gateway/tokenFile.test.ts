import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenFileError } from './errors.ts';
import { ensureAdminToken, issueToken, loadTokenFile } from './tokenFile.ts';
import { hashToken, TOKEN_PREFIX, TokenStore } from './TokenStore.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mandate-tokens-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gateway - tokens', () => {
  it('gateway - first start creates one admin token, stores only its hash, and never returns it again', async () => {
    const path = join(dir, 'nested', 'tokens.json');
    const first = await ensureAdminToken(path, 1000);
    expect(first.adminToken).toMatch(new RegExp(`^${TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`));
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(first.adminToken);
    expect(text).toContain(hashToken(first.adminToken ?? ''));
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const second = await ensureAdminToken(path, 2000);
    expect(second.adminToken).toBeUndefined();
    expect(second.tokens.verify(first.adminToken ?? '')).toEqual({ name: 'admin', role: 'admin' });
  });

  it('gateway - a token file without an admin gets one added beside the existing tokens', async () => {
    const path = join(dir, 'tokens.json');
    const store = new TokenStore();
    const { token } = store.issue('admin', 'observer', { now: 1 });
    await writeFile(path, JSON.stringify({ version: 1, tokens: store.entries() }));
    const { tokens, adminToken } = await ensureAdminToken(path);
    expect(tokens.verify(token)).toEqual({ name: 'admin', role: 'observer' });
    expect(tokens.verify(adminToken ?? '')).toEqual({ name: 'admin-2', role: 'admin' });
  });

  it('gateway - unknown and near-miss tokens do not verify', () => {
    const store = new TokenStore();
    const { token } = store.issue('ops', 'operator');
    expect(store.verify(token)).toEqual({ name: 'ops', role: 'operator' });
    expect(store.verify(token.slice(0, -1))).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
  });

  it('gateway - a malformed token file is a coded error naming the bad field', async () => {
    const path = join(dir, 'tokens.json');
    await writeFile(
      path,
      JSON.stringify({ version: 1, tokens: [{ name: 'x', role: 'root', sha256: 'abc', createdAt: 1 }] }),
    );
    const err = await loadTokenFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenFileError);
    expect((err as TokenFileError).code).toBe('MANDATE_ERR_TOKEN_FILE');
    expect((err as TokenFileError).message).toContain('tokens.0.role');
    await writeFile(path, '{not json');
    await expect(loadTokenFile(path)).rejects.toBeInstanceOf(TokenFileError);
  });

  it('gateway - a missing token file loads as undefined', async () => {
    expect(await loadTokenFile(join(dir, 'absent.json'))).toBeUndefined();
  });

  it('gateway - issueToken adds a named role token, refuses duplicates and bad names, keeps the others', async () => {
    const path = join(dir, 'tokens.json');
    const { adminToken } = await ensureAdminToken(path);
    const alice = await issueToken(path, { name: 'alice', role: 'operator' });
    const tokens = await loadTokenFile(path);
    expect(tokens?.verify(alice)).toEqual({ name: 'alice', role: 'operator' });
    expect(tokens?.verify(adminToken ?? '')).toEqual({ name: 'admin', role: 'admin' });
    await expect(issueToken(path, { name: 'alice', role: 'observer' })).rejects.toThrow(
      /already has a token named "alice"/,
    );
    await expect(issueToken(path, { name: 'bad name!', role: 'observer' })).rejects.toBeInstanceOf(TokenFileError);
    await expect(issueToken(path, { name: 'bob', role: 'root' as never })).rejects.toBeInstanceOf(TokenFileError);
    expect((await loadTokenFile(path))?.size).toBe(2);
  });
});
