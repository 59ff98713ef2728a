import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './SecretBox.ts';

describe('secret box', () => {
  it('persistence - sealed values open only with the same key and associated data', () => {
    const box = new SecretBox(new Uint8Array(32).fill(1));
    const sealed = box.seal('seed-bytes', 'agent:a');
    expect(sealed).not.toContain('seed-bytes');
    expect(box.seal('seed-bytes', 'agent:a')).not.toBe(sealed);
    expect(box.open(sealed, 'agent:a')).toBe('seed-bytes');
    expect(() => box.open(sealed, 'agent:b')).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_STORE_SECRET' }),
    );
    expect(() => new SecretBox(new Uint8Array(32).fill(2)).open(sealed, 'agent:a')).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_STORE_SECRET' }),
    );
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'agent:a')).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_STORE_SECRET' }),
    );
  });

  it('persistence - the key comes from MANDATE_SECRET_KEY (base64 or hex) or a generated 0600 key file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-key-'));
    try {
      const keyFile = join(dir, 'secret.key');
      const generated = SecretBox.load({ keyFile });
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const again = SecretBox.load({ keyFile });
      expect(again.open(generated.seal('x', 'y'), 'y')).toBe('x');
      const b64 = readFileSync(keyFile, 'utf8').trim();
      const hex = Buffer.from(b64, 'base64url').toString('hex');
      expect(SecretBox.load({ secretKey: hex, keyFile: join(dir, 'unused') }).open(generated.seal('x', 'y'), 'y')).toBe(
        'x',
      );
      expect(() => SecretBox.load({ secretKey: 'c2hvcnQ=', keyFile })).toThrowError(
        expect.objectContaining({ code: 'MANDATE_ERR_STORE_CONFIG' }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
