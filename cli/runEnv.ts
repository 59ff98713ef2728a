/** Environment lists `mandate run` reads, checked with a usage error naming the variable. */
import { UsageError } from './errors.ts';

/** `MANDATE_REVOCATION_AUTHORITIES`: comma-separated did:keys whose signed revocations are honoured for any agent. */
export function revocationAuthoritiesOf(text: string | undefined): string[] {
  const dids = (text ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  for (const did of dids)
    if (!/^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(did))
      throw new UsageError(
        `MANDATE_REVOCATION_AUTHORITIES holds "${did}", which is not a did:key; list Ed25519 did:keys separated by commas.`,
      );
  return dids;
}

/**
 * `MANDATE_MCP_ALLOWED_ORIGINS` / `MANDATE_MCP_ALLOWED_HOSTS` (prefix `MANDATE_MCP_`), and
 * `MANDATE_ALLOWED_ORIGINS` / `MANDATE_ALLOWED_HOSTS` (prefix `MANDATE_`, for `/api/*`): comma-separated
 * lists for the DNS-rebinding guards.
 */
export function originPolicyOf(
  env: NodeJS.ProcessEnv,
  prefix: 'MANDATE_MCP_' | 'MANDATE_',
): { allowedOrigins?: string[]; allowedHosts?: string[] } {
  const list = (name: string): string[] | undefined => {
    const items = (env[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return items.length === 0 ? undefined : items;
  };
  const allowedOrigins = list(`${prefix}ALLOWED_ORIGINS`);
  for (const origin of allowedOrigins ?? [])
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new UsageError(
        `${prefix}ALLOWED_ORIGINS holds "${origin}", which is not an origin; list origins such as https://console.example.com separated by commas.`,
      );
  const allowedHosts = list(`${prefix}ALLOWED_HOSTS`);
  return {
    ...(allowedOrigins === undefined ? {} : { allowedOrigins }),
    ...(allowedHosts === undefined ? {} : { allowedHosts }),
  };
}
