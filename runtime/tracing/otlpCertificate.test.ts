import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../test/support/selfSignedCert.ts';
import { otlpCertificate } from './otlpCertificate.ts';

describe('OTEL_EXPORTER_OTLP_CERTIFICATE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-otlp-ca-'));
  const ca = join(dir, 'ca.pem');
  const other = join(dir, 'other.pem');
  const notPem = join(dir, 'key.txt');
  writeFileSync(ca, selfSignedCert('a').cert);
  writeFileSync(other, selfSignedCert('b').cert);
  writeFileSync(notPem, 'not a certificate');

  it('otlp ca - the traces variable wins over the general one; neither set is the system CAs', () => {
    expect(otlpCertificate({})).toBeUndefined();
    expect(otlpCertificate({ OTEL_EXPORTER_OTLP_CERTIFICATE: '' })).toBeUndefined();
    expect(otlpCertificate({ OTEL_EXPORTER_OTLP_CERTIFICATE: ca })!.toString()).toContain('BEGIN CERTIFICATE');
    const both = otlpCertificate({ OTEL_EXPORTER_OTLP_CERTIFICATE: ca, OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: other });
    expect(both!.toString()).toBe(readFileSync(other, 'utf8'));
  });

  it('otlp ca - an unreadable file or one without a PEM certificate is MANDATE_ERR_TRACING_CONFIG naming the variable', () => {
    const coded = (variable: string, text: string) =>
      expect.objectContaining({
        code: 'MANDATE_ERR_TRACING_CONFIG',
        details: { variable },
        message: expect.stringContaining(text),
      });
    expect(() => otlpCertificate({ OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'missing.pem') })).toThrow(
      coded('OTEL_EXPORTER_OTLP_CERTIFICATE', 'cannot be read'),
    );
    expect(() => otlpCertificate({ OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: notPem })).toThrow(
      coded('OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE', 'holds no PEM certificate'),
    );
  });
});
