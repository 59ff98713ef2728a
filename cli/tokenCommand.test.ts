import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway, ensureAdminToken, loadTokenFile, watchTokenFile } from '../gateway/index.ts';
import { createRuntime, type MandateRuntime } from '../runtime/index.ts';
import { tokenCommand, tokenFilePath, tokenLifetime } from './tokenCommand.ts';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-token-'));
  dirs.push(dir);
  return join(dir, 'data');
}
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `mandate token …` and returns what it printed. */
async function token(args: string[], now?: () => number): Promise<string> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  await tokenCommand(args, now);
  vi.restoreAllMocks();
  return lines.join('\n');
}

describe('mandate token', () => {
  it('token - create prints the token once, list shows names, roles and expiry (never the token), revoke removes it', async () => {
    const dir = dataDir();
    const created = await token(['create', '--name', 'alice', '--role', 'operator', '--data-dir', dir]);
    const plain = /\n(mdt_\S+)$/.exec(created)?.[1];
    expect(plain).toBeDefined();
    const t0 = 1_790_000_000_000;
    await token(['create', '--name', 'temp', '--role', 'observer', '--expires', '30d', '--data-dir', dir], () => t0);
    const listed = await token(['list', '--data-dir', dir], () => t0 + 31 * 86_400_000);
    expect(listed).toMatch(/^alice\toperator\tcreated \S+\tno expiry$/m);
    expect(listed).toMatch(/^temp\tobserver\tcreated 2026-\S+\texpired 2026-\S+$/m);
    expect(listed).not.toContain(plain);
    const file = await loadTokenFile(tokenFilePath(dir));
    expect(file?.verify(plain!)).toEqual({ name: 'alice', role: 'operator' });
    await token(['revoke', 'alice', '--data-dir', dir]);
    expect((await loadTokenFile(tokenFilePath(dir)))?.verify(plain!)).toBeUndefined();
  });

  it('token - MANDATE_TOKEN_FILE names the token file (the Compose file sets it); unset or empty, it sits beside the data directory', () => {
    expect(tokenFilePath('/srv/m/data', { MANDATE_TOKEN_FILE: '/run/secrets/tokens.json' })).toBe(
      '/run/secrets/tokens.json',
    );
    expect(tokenFilePath('/srv/m/data', {})).toBe('/srv/m/tokens.json');
    expect(tokenFilePath('/srv/m/data', { MANDATE_TOKEN_FILE: '' })).toBe('/srv/m/tokens.json');
  });

  it('token - bad input is a usage or token-file error naming what was wrong, and changes nothing', async () => {
    const dir = dataDir();
    await expect(tokenCommand(['create', '--role', 'operator', '--data-dir', dir])).rejects.toThrow(/needs --name/);
    await expect(tokenCommand(['create', '--name', 'x', '--role', 'root', '--data-dir', dir])).rejects.toThrow(
      /needs --role admin\|operator\|observer \(got "root"\)/,
    );
    await expect(
      tokenCommand(['create', '--name', 'x', '--role', 'observer', '--expires', '0d', '--data-dir', dir]),
    ).rejects.toThrow(/is not a lifetime/);
    await expect(tokenCommand(['revoke', 'nobody', '--data-dir', dir])).rejects.toMatchObject({
      code: 'MANDATE_ERR_TOKEN_UNKNOWN',
    });
    await expect(tokenCommand(['rotate', '--data-dir', dir])).rejects.toThrow(/Unknown token command "rotate"/);
    expect(await loadTokenFile(tokenFilePath(dir))).toBeUndefined();
    expect(tokenLifetime('90m')).toBe(5_400_000);
    expect(tokenLifetime('12h')).toBe(43_200_000);
  });

  it('token - the last admin token cannot be revoked (the console would be locked out)', async () => {
    const dir = dataDir();
    await ensureAdminToken(tokenFilePath(dir));
    await expect(tokenCommand(['revoke', 'admin', '--data-dir', dir])).rejects.toThrow(/last admin token/);
    await token(['create', '--name', 'second-admin', '--role', 'admin', '--data-dir', dir]);
    await token(['revoke', 'admin', '--data-dir', dir]);
    expect((await loadTokenFile(tokenFilePath(dir)))?.entries().map((e) => e.name)).toEqual(['second-admin']);
  });
});

describe('a running gateway follows the token file', () => {
  let runtime: MandateRuntime;
  let app: FastifyInstance;
  let unwatch: () => void;
  let dir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = dataDir();
    runtime = await createRuntime();
    const { tokens } = await ensureAdminToken(tokenFilePath(dir));
    unwatch = watchTokenFile(tokenFilePath(dir), tokens, {
      onProblem: (e) => problems.push(e.message),
      intervalMs: 50,
    });
    app = await createGateway({ runtime, tokens });
  });
  afterAll(async () => {
    unwatch?.();
    await app?.close();
    await runtime?.shutdown();
  });

  const status = async (bearer: string) =>
    (await app.inject({ method: 'GET', url: '/api/agents', headers: { authorization: `Bearer ${bearer}` } }))
      .statusCode;
  const until = async (ok: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 25));
  };

  it('token - a token created from the CLI works without a restart, a revoked one is refused, an expired one too', async () => {
    const created = await token(['create', '--name', 'bob', '--role', 'observer', '--data-dir', dir]);
    const bob = /\n(mdt_\S+)$/.exec(created)![1]!;
    await until(async () => (await status(bob)) === 200);
    expect(await status(bob)).toBe(200);
    await token(['revoke', 'bob', '--data-dir', dir]);
    await until(async () => (await status(bob)) === 401);
    expect(await status(bob)).toBe(401);
    const old = await token(
      ['create', '--name', 'old', '--role', 'observer', '--expires', '1m', '--data-dir', dir],
      () => Date.now() - 120_000,
    );
    const expired = /\n(mdt_\S+)$/.exec(old)![1]!;
    await until(
      async () => (await loadTokenFile(tokenFilePath(dir)))?.entries().some((e) => e.name === 'old') === true,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(await status(expired)).toBe(401);
    expect(problems).toEqual([]);
  });
});
