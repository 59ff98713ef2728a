/**
 * `mandate agents versions <id>` and `mandate agents rollback <id> --to <version>`: a running
 * node's agent versions, through its gateway (`--url`, default `MANDATE_URL` or
 * http://127.0.0.1:8080) with a bearer token (`--token`, default `MANDATE_TOKEN`).
 */
import { agentParamsCommand, PARAM_VERBS, PARAMS_USAGE } from './agentParamsCommand.ts';
import { parseArgs } from './args.ts';
import { callGateway as call } from './callGateway.ts';
import { UsageError } from './errors.ts';

const USAGE = `mandate agents versions <id> | mandate agents rollback <id> --to <version> [--reason text] | ${PARAMS_USAGE}  [--url http://127.0.0.1:8080] [--token T]`;

interface VersionView {
  number: number;
  hash: string;
  label: string;
  active: boolean;
  createdAt: number;
  entry: string | null;
  files: string[];
}

function line(v: VersionView): string {
  const files =
    v.entry === null ? 'TypeScript definition' : [v.entry, ...v.files.filter((f) => f !== v.entry)].join(', ');
  return `${v.active ? '*' : ' '} ${String(v.number).padStart(3)}  ${v.hash.slice(0, 19)}  label ${v.label}  ${new Date(v.createdAt).toISOString()}  ${files}`;
}

/** Runs `mandate agents …`; returns the exit code. */
export async function agentsCommand(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, {
    to: 'string',
    reason: 'string',
    url: 'string',
    token: 'string',
    'to-declared': 'boolean',
  });
  const url = (flags.get('url') as string | undefined) ?? process.env.MANDATE_URL ?? 'http://127.0.0.1:8080';
  const token = (flags.get('token') as string | undefined) ?? process.env.MANDATE_TOKEN;
  const [verb, id] = positional;
  if (id !== undefined && (PARAM_VERBS as readonly string[]).includes(verb ?? ''))
    return agentParamsCommand({ url, token }, { positional, flags, usage: USAGE });
  if (id === undefined || (verb !== 'versions' && verb !== 'rollback'))
    throw new UsageError(
      `Unknown or incomplete agents command ${JSON.stringify(positional.join(' '))}. Usage: ${USAGE}`,
    );
  const agent = encodeURIComponent(id);
  if (verb === 'versions') {
    const { versions } = (await call({ url, token }, `/api/agents/${agent}/versions`)) as { versions: VersionView[] };
    console.log(`versions of ${id} (* = running):`);
    for (const v of versions) console.log(line(v));
    return 0;
  }
  const to = flags.get('to');
  if (typeof to !== 'string') throw new UsageError(`"agents rollback" needs --to <version>. Usage: ${USAGE}`);
  const reason =
    (flags.get('reason') as string | undefined) ?? `rolled back with "mandate agents rollback ${id} --to ${to}"`;
  const { version } = (await call({ url, token }, `/api/agents/${agent}/rollback`, { to, reason })) as {
    version: VersionView;
  };
  console.log(`${id} now runs version ${version.number} (${version.hash})`);
  return 0;
}
