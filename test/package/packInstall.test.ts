/**
 * What a designer outside this repository gets: `npm pack` (its prepack builds dist/ and ui/dist),
 * `npm install <tarball>` into a fresh project, and a two-agent system there that imports mandate by
 * name — type-checked against the shipped .d.ts, run through the API, and run with the installed bin.
 * Fails when the exports map, the build or the bin break.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const fixture = join(import.meta.dirname, 'consumer');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment without what `npm test` adds about this repository (its package and lifecycle). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('npm_') && (!key.startsWith('npm_config_') || key === 'npm_config_local_prefix')) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1' };
}

/**
 * Runs a command in its own process group until it exits; `onLine` sees stdout as it comes and may
 * signal the command's own process. Whatever is left of the group afterwards (or past `timeoutMs`)
 * is killed, so a wrapper that leaves a child behind fails the test instead of hanging it.
 */
/** Where a command runs, a handler of each output line (which may signal the command), and its time limit. */
interface Watch {
  cwd: string;
  onLine?: (line: string, signal: (name: NodeJS.Signals) => void) => void;
  timeoutMs?: number;
}

function run(command: string, args: string[], { cwd, onLine, timeoutMs = 50_000 }: Watch): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killGroup = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(killGroup, timeoutMs);
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine?.(line, (name) => child.kill(name));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      killGroup();
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function ok(result: Run, what: string): Run {
  if (result.code !== 0)
    throw new Error(`${what} exited with ${result.code ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

describe('mandate as an installed package', () => {
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mandate-pack-'));
    app = join(work, 'app');
    ok(await run('npm', ['pack', '--pack-destination', work], { cwd: repo, timeoutMs: 120_000 }), 'npm pack');
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${work}`);
    await mkdir(app);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'mandate-consumer', private: true, type: 'module' }),
    );
    // The cache that `npm ci` filled serves the dependencies; the optional Lit SDK is not needed here.
    ok(
      await run(
        'npm',
        ['install', join(work, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional'],
        { cwd: app, timeoutMs: 150_000 },
      ),
      'npm install <tarball>',
    );
    await cp(fixture, app, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('package - the tarball installs dist/ (with the files loaded by URL), the dashboard and the bin, and needs no tsx', () => {
    const installed = join(app, 'node_modules', 'mandate');
    for (const file of [
      'dist/runtime/index.js',
      'dist/runtime/index.d.ts',
      'dist/actors/index.js',
      'ui/dist/index.html',
      'bin/mandate.js',
    ]) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(existsSync(join(installed, 'runtime', 'index.ts'))).toBe(false);
    // Files the code loads by URL rather than by import (the signature worker) made it into dist/ too.
    const byUrl = /new URL\((['"])(\.{1,2}\/[^'"]+)\1, *import\.meta\.url\)/g;
    const missing: string[] = [];
    let loadedByUrl = 0;
    for (const file of readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.js'),
    )) {
      for (const [, , target] of readFileSync(join(installed, 'dist', file), 'utf8').matchAll(byUrl)) {
        loadedByUrl++;
        if (!existsSync(join(installed, 'dist', dirname(file), target!))) missing.push(`${file} → ${target}`);
      }
    }
    expect(loadedByUrl).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', '.bin', 'mandate'))).toBe(true);
  });

  it('package - a consumer written against mandate and mandate/actors type-checks with the shipped declarations', async () => {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2023',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        types: [],
      },
      include: ['*.ts', 'system/*.ts'],
    };
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    ok(
      await run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
        cwd: app,
      }),
      'tsc on the consumer',
    );
    // The declarations carry real types: a wrong field type is an error, not `any`.
    await writeFile(
      join(app, 'wrong.ts'),
      "import { defineAgent } from 'mandate';\nimport { RulesDecider } from 'mandate/actors';\ndefineAgent({ id: 42, perceive: () => ({}), decide: RulesDecider.fromYaml('rules: []') });\n",
    );
    const wrong = await run(
      process.execPath,
      [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      { cwd: app },
    );
    await rm(join(app, 'wrong.ts'));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.ts\(3,\d+\): error TS2322/);
  }, 60_000);

  it('package - the two-agent system runs through the installed API: the producer opens the gate, then the consumer acts', async () => {
    const { stdout } = ok(await run(process.execPath, ['runThroughApi.ts'], { cwd: app }), 'node runThroughApi.ts');
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as {
      resolved: string;
      notes: string[];
      outcomes: Array<{ agent: string; action?: string; outcome: string }>;
      cycles: Record<string, number>;
    };
    expect(report.resolved).toBe(new URL('node_modules/mandate/dist/runtime/index.js', `file://${app}/`).href);
    expect(report.notes).toContain('3');
    const opened = report.outcomes.findIndex(
      (o) => o.agent === 'producer' && o.action === 'gate.set' && o.outcome === 'succeeded',
    );
    const noted = report.outcomes.findIndex(
      (o) => o.agent === 'consumer' && o.action === 'note.write' && o.outcome === 'succeeded',
    );
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(noted).toBeGreaterThan(opened);
    expect(report.cycles.consumer).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('package - npx mandate run <dir> runs the system from the installed bin for the given duration', async () => {
    const result = ok(
      await run(
        'npx',
        [
          '--no',
          'mandate',
          'run',
          'system',
          '--duration',
          '3s',
          '--no-gateway',
          '--quiet',
          '--data-dir',
          join(work, 'npx-run', 'data'),
        ],
        { cwd: app },
      ),
      'npx mandate run',
    );
    expect(result.stdout).toMatch(/mandate: 2 agents on node .*dry-run/);
    expect(result.stdout).toMatch(/producer +learn → idle +gate\.set succeeded/);
    expect(result.stdout).toMatch(/consumer +learn → idle +note\.write succeeded/);
  }, 60_000);

  it('package - the installed bin serves the dashboard and handles SIGTERM itself: it shuts down and exits 0', async () => {
    let page: Promise<{ status: number; body: string }> | undefined;
    let acted = false;
    let stopping = false;
    const result = await run(
      join(app, 'node_modules', '.bin', 'mandate'),
      ['run', 'system', '--port', '0', '--quiet', '--data-dir', join(work, 'bin-run', 'data')],
      {
        cwd: app,
        onLine: (line, signal) => {
          const address = /dashboard and API on (http:\/\/\S+)/.exec(line)?.[1];
          if (address !== undefined)
            page = fetch(`${address}/`).then(async (r) => ({ status: r.status, body: await r.text() }));
          if (/consumer +learn → idle +note\.write succeeded/.test(line)) acted = true;
          if (acted && page !== undefined && !stopping) {
            stopping = true;
            void page.finally(() => signal('SIGTERM'));
          }
        },
      },
    );
    expect(acted, `${result.stdout}\n${result.stderr}`).toBe(true);
    // The runtime handled SIGTERM itself (shut down, exit 0) instead of being killed by it.
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(await page).toMatchObject({ status: 200, body: expect.stringContaining('<div id="app">') });
  }, 60_000);
});
