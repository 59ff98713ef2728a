/**
 * `mandate token create|list|revoke`: the gateway's bearer tokens, kept as hashes in the token
 * file beside the data directory. A running gateway watches the file, so a change takes effect
 * within a second, without a restart.
 */
import { join } from 'node:path';
import { durationSchema } from '../actors/index.ts';
import { issueToken, loadTokenFile, revokeToken, ROLES, type Role } from '../gateway/index.ts';
import { parseArgs } from './args.ts';
import { UsageError } from './errors.ts';

const USAGE =
  'mandate token create --name N --role observer|operator|admin [--expires 30d] | token list | token revoke N  [--data-dir .mandate/data]';

/** The token file a run with this data directory uses: `MANDATE_TOKEN_FILE`, else `<data dir>/../tokens.json`. */
export function tokenFilePath(dataDir: string, env: Record<string, string | undefined> = process.env): string {
  const file = env.MANDATE_TOKEN_FILE;
  return file === undefined || file === '' ? join(dataDir, '..', 'tokens.json') : file;
}

/** A token lifetime such as `30d`, `12h` or `90m` (the YAML duration syntax), in milliseconds. */
export function tokenLifetime(text: string): number {
  const parsed = durationSchema.safeParse(text);
  if (!parsed.success || parsed.data <= 0)
    throw new UsageError(`"--expires ${text}" is not a lifetime; use e.g. 90m, 12h or 30d.`);
  return parsed.data;
}

/** Runs `mandate token …`; prints a created token once. Returns the exit code. */
export async function tokenCommand(argv: string[], now: () => number = Date.now): Promise<number> {
  const { positional, flags } = parseArgs(argv, {
    name: 'string',
    role: 'string',
    expires: 'string',
    'data-dir': 'string',
  });
  const dataDir = (flags.get('data-dir') as string | undefined) ?? process.env.MANDATE_DATA_DIR ?? '.mandate/data';
  const path = tokenFilePath(dataDir);
  const [verb, ...args] = positional;
  if (verb === 'create') {
    const name = flags.get('name');
    const role = flags.get('role');
    if (typeof name !== 'string') throw new UsageError(`"token create" needs --name. Usage: ${USAGE}`);
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
      throw new UsageError(`"token create" needs --role ${ROLES.join('|')} (got ${JSON.stringify(role ?? null)}).`);
    const expires = flags.get('expires');
    const at = now();
    const expiresAt = typeof expires === 'string' ? at + tokenLifetime(expires) : undefined;
    const token = await issueToken(path, {
      name,
      role: role as Role,
      now: at,
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
    const until = expiresAt === undefined ? 'does not expire' : `expires ${new Date(expiresAt).toISOString()}`;
    console.log(`token for "${name}" (${role}, ${until}); shown once, keep it:\n${token}`);
    return 0;
  }
  if (verb === 'list') {
    const tokens = (await loadTokenFile(path))?.entries() ?? [];
    if (tokens.length === 0) console.log(`no tokens in ${path}`);
    for (const t of tokens) {
      const expired = t.expiresAt !== undefined && now() >= t.expiresAt;
      const until = t.expiresAt === undefined ? 'no expiry' : `${expired ? 'expired' : 'expires'} ${iso(t.expiresAt)}`;
      console.log(`${t.name}\t${t.role}\tcreated ${iso(t.createdAt)}\t${until}`);
    }
    return 0;
  }
  if (verb === 'revoke') {
    const name = args[0] ?? flags.get('name');
    if (typeof name !== 'string') throw new UsageError(`"token revoke" needs the token's name. Usage: ${USAGE}`);
    await revokeToken(path, name);
    console.log(`revoked "${name}"; a running gateway refuses it within a second`);
    return 0;
  }
  throw new UsageError(`Unknown token command ${JSON.stringify(verb ?? null)}. Usage: ${USAGE}`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
