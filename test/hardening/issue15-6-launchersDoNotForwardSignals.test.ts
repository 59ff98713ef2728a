/**
 * `npx mandate run` as a user types it: npm exec runs the bin under `sh -c`, and neither forwards
 * SIGTERM, so before the fix a SIGTERM to npx left the runtime running (serving, holding the
 * database lock) with no final line. The bin runs compiled JavaScript, so the test compiles the
 * sources into a scratch package (never the checkout's own dist/, which other tests rebuild).
 */
import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** Live pids whose command line names `marker` (from /proc: what is left of the run, whoever its parent is). */
function processesNaming(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirPids()) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) found.push(pid);
    } catch {
      // exited while listing
    }
  }
  return found;
}

function readdirPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('issue 15 #6 - launchers do not forward signals', () => {
  let pkg: string;
  beforeAll(async () => {
    pkg = mkdtempSync(join(tmpdir(), 'mandate-i15-6-'));
    await run(
      process.execPath,
      [
        join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(repo, 'tsconfig.build.json'),
        '--outDir',
        join(pkg, 'dist'),
        '--tsBuildInfoFile',
        join(pkg, 'dist', '.tsbuildinfo'),
        '--declaration',
        'false',
      ],
      { cwd: repo },
    );
    cpSync(join(repo, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(repo, 'examples'), join(pkg, 'examples'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), readFileSync(join(repo, 'package.json')));
    symlinkSync(join(repo, 'node_modules'), join(pkg, 'node_modules'));
  }, 240_000);
  afterAll(() => {
    if (pkg !== undefined) rmSync(pkg, { recursive: true, force: true });
  });

  it('lifecycle - SIGTERM to `npx mandate run` leaves no process behind within 15 s, with a final line; the restart is clean', async () => {
    const dataDir = join(pkg, 'state', 'data');
    const start = () =>
      spawn('npx', ['--no', 'mandate', 'run', 'examples/treasury', '--no-gateway', '--quiet', '--data-dir', dataDir], {
        cwd: pkg,
        env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    for (const round of [1, 2]) {
      const npx = start();
      let out = '';
      npx.stdout.on('data', (c: Buffer) => (out += c.toString()));
      npx.stderr.on('data', (c: Buffer) => (out += c.toString()));
      try {
        expect(await waitFor(() => /mandate: \d+ agents on node/.test(out), 90_000), out).toBe(true);
        expect(processesNaming(dataDir).length).toBeGreaterThanOrEqual(2); // npm exec, sh, node
        process.kill(npx.pid!, 'SIGTERM'); // the launcher only, as `kill <pid>` or a supervisor would
        const gone = await waitFor(() => processesNaming(dataDir).length === 0, 15_000);
        expect(gone, `left behind: ${processesNaming(dataDir).join(', ')}\n${out}`).toBe(true);
        expect(out, `round ${round}`).toMatch(/mandate: stopped cleanly/);
        expect(existsSync(`${dataDir}.lock`)).toBe(false);
      } finally {
        for (const pid of processesNaming(dataDir)) process.kill(pid, 'SIGKILL');
      }
    }
    // Both runs' audit trails are one intact chain, final checkpoints included.
    const verify = await run(
      process.execPath,
      [join(pkg, 'bin', 'mandate.js'), 'audit', 'verify', '--data-dir', dataDir],
      {
        cwd: pkg,
        env: { ...process.env, DATABASE_URL: '' },
      },
    );
    expect(verify.stdout).toMatch(/ok|verified/i);
  }, 300_000);
});
