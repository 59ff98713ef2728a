/**
 * `mandate agents versions <id>` and `mandate agents rollback <id> --to <version>`: a running
 * node's agent versions, through its gateway (`--url`, default `MANDATE_URL` or
 * http://127.0.0.1:8080) with a bearer token (`--token`, default `MANDATE_TOKEN`).
 */
import { isErrorCode, MandateError } from '../kernel/index.ts';
import { parseArgs } from './args.ts';
import { GatewayUnreachableError, UsageError } from './errors.ts';

const USAGE =
  'mandate agents versions <id> | mandate agents rollback <id> --to <version> [--reason text]  [--url http://127.0.0.1:8080] [--token T]';

interface VersionView {
  number: number;
  hash: string;
  label: string;
  active: boolean;
  createdAt: number;
  entry: string | null;
  files: string[];
}

/** Where the gateway is and the token to call it with. */
interface Gateway {
  url: string;
  token: string | undefined;
}

/** Calls the gateway; its coded errors come back as the same coded errors, anything else as MANDATE_ERR_GATEWAY_UNREACHABLE. */
async function call({ url, token }: Gateway, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, url), {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new GatewayUnreachableError(
      `No gateway answers at ${url} (${(cause as Error).message}); start the node ("mandate run") or pass its address with --url or MANDATE_URL.`,
      { cause },
    );
  }
  const json = (await response.json().catch(() => undefined)) as
    { error?: { code?: unknown; message?: string; details?: Record<string, unknown> } } | undefined;
  if (response.ok && json !== undefined) return json;
  const error = json?.error;
  if (error !== undefined && isErrorCode(error.code))
    throw new MandateError(
      error.code,
      error.message ?? error.code,
      error.details === undefined ? {} : { details: error.details },
    );
  throw new GatewayUnreachableError(
    `${url} answered ${response.status} without a Mandate error; is --url the node's gateway?`,
  );
}

function line(v: VersionView): string {
  const files =
    v.entry === null ? 'TypeScript definition' : [v.entry, ...v.files.filter((f) => f !== v.entry)].join(', ');
  return `${v.active ? '*' : ' '} ${String(v.number).padStart(3)}  ${v.hash.slice(0, 19)}  label ${v.label}  ${new Date(v.createdAt).toISOString()}  ${files}`;
}

/** Runs `mandate agents …`; returns the exit code. */
export async function agentsCommand(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, { to: 'string', reason: 'string', url: 'string', token: 'string' });
  const url = (flags.get('url') as string | undefined) ?? process.env.MANDATE_URL ?? 'http://127.0.0.1:8080';
  const token = (flags.get('token') as string | undefined) ?? process.env.MANDATE_TOKEN;
  const [verb, id] = positional;
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
