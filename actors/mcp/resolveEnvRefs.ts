import { McpServerSpecError } from './errors.ts';

/**
 * Replaces values written `$env:NAME` with the environment variable NAME, so secrets (a bearer token,
 * an API key for a server) stay out of YAML and out of the agent's persisted definition. A reference
 * to an unset variable throws `McpServerSpecError` naming the field and the variable.
 *
 * @example
 * resolveEnvRefs({ Authorization: '$env:CRM_TOKEN' }, 'mcp.servers.crm.headers'); // { Authorization: 'Bearer …' }
 */
export function resolveEnvRefs(
  values: Readonly<Record<string, string>>,
  field: string,
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const ref = /^\$env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
    if (ref === null) {
      out[key] = value;
      continue;
    }
    const found = env[ref[1]!];
    if (found === undefined)
      throw new McpServerSpecError(
        `${field}.${key} refers to $env:${ref[1]}, which is not set; export it before starting.`,
        {
          details: { field: `${field}.${key}`, env: ref[1] },
        },
      );
    out[key] = found;
  }
  return out;
}
