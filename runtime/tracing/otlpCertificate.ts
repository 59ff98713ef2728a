import { readFileSync } from 'node:fs';
import { TracingConfigError } from './errors.ts';

/**
 * The CA certificate(s) an https OTLP endpoint is checked against, from the PEM file
 * `OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE` or `OTEL_EXPORTER_OTLP_CERTIFICATE` names (the OpenTelemetry
 * exporter spec's variables); undefined when neither is set (the system's CAs). A file that cannot be
 * read or holds no PEM certificate is `MANDATE_ERR_TRACING_CONFIG` naming the variable.
 */
export function otlpCertificate(env: Readonly<Record<string, string | undefined>>): Buffer | undefined {
  const variable = ['OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CERTIFICATE'].find(
    (v) => (env[v] ?? '') !== '',
  );
  if (variable === undefined) return undefined;
  const path = env[variable]!;
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new TracingConfigError(
      variable,
      `${variable} names "${path}", which cannot be read: ${(error as Error).message}.`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new TracingConfigError(variable, `${variable} names "${path}", which holds no PEM certificate.`);
  return pem;
}
