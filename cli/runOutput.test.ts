import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logFormatOf } from './runOutput.ts';

/** Runs `mandate run examples/treasury` from source for a few seconds; resolves its stdout and stderr. */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=mandate-source', 'cli/main.ts', 'run', 'examples/treasury', ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}

describe('mandate run output', () => {
  it('log format - --log-format wins over MANDATE_LOG_FORMAT; anything but json or text is a usage error naming it', () => {
    expect(logFormatOf(undefined, {})).toBe('text');
    expect(logFormatOf(undefined, { MANDATE_LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormatOf('text', { MANDATE_LOG_FORMAT: 'json' })).toBe('text');
    expect(() => logFormatOf(undefined, { MANDATE_LOG_FORMAT: 'logfmt' })).toThrow(/MANDATE_LOG_FORMAT="logfmt"/);
    expect(() => logFormatOf('yaml', {})).toThrow(/--log-format yaml/);
  });

  it('log format - MANDATE_LOG_FORMAT=json writes only JSON lines, the banner included, with the documented fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-logs-'));
    try {
      const { stdout, code } = await runCli(['--duration', '4s', '--port', '0', '--data-dir', join(dir, 'data')], {
        MANDATE_LOG_FORMAT: 'json',
      });
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>); // throws on a line that is not JSON
      for (const r of records) {
        expect(typeof r.time).toBe('string');
        expect(['info', 'warn', 'error']).toContain(r.level);
        expect(typeof r.msg).toBe('string');
        expect(r.node).toMatch(/^node-/);
      }
      expect(records.find((r) => r.event === 'runtime.started')?.msg).toMatch(/agents on node/);
      expect(records.some((r) => r.event === 'gateway.listening')).toBe(true);
      const decided = records.find((r) => r.event === 'agent.decide.done');
      expect(decided).toMatchObject({ agent: expect.any(String), decisionId: expect.any(String) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
