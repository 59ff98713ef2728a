/**
 * `mandate x402 sales [--status S]` lists a running node's x402 sales that may need an operator
 * (under way, interrupted by a crash mid-task, held for approval), and `mandate x402 resolve <id>
 * --resume|--release --reason text` answers an interrupted one, through the gateway (`--url`,
 * default `MANDATE_URL` or http://127.0.0.1:8080; `--token`, default `MANDATE_TOKEN`).
 */
import { parseArgs } from './args.ts';
import { callGateway } from './callGateway.ts';
import { UsageError } from './errors.ts';

const USAGE =
  'mandate x402 sales [--status working|interrupted|held|...] | mandate x402 resolve <id> --resume|--release --reason text  [--url http://127.0.0.1:8080] [--token T]';

interface SaleView {
  id: string;
  status: string;
  capability: string;
  payer: string;
  value: string;
  validBefore: number | null;
  result: { recovery?: string } | null;
  updatedAt: number;
}

function line(s: SaleView): string {
  const until = s.validBefore === null ? '' : `  valid until ${new Date(s.validBefore * 1000).toISOString()}`;
  const why = s.result?.recovery === undefined ? '' : `  (${s.result.recovery})`;
  return `${s.status.padEnd(12)} ${s.capability.padEnd(24)} ${s.value.padStart(12)} from ${s.payer}${until}\n  ${s.id}${why}`;
}

/** Runs `mandate x402 …`; returns the exit code. */
export async function x402Command(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, {
    status: 'string',
    resume: 'boolean',
    release: 'boolean',
    reason: 'string',
    url: 'string',
    token: 'string',
  });
  const gateway = {
    url: (flags.get('url') as string | undefined) ?? process.env.MANDATE_URL ?? 'http://127.0.0.1:8080',
    token: (flags.get('token') as string | undefined) ?? process.env.MANDATE_TOKEN,
  };
  const [verb, id] = positional;
  if (verb === 'sales') {
    const status = flags.get('status') as string | undefined;
    const query = status === undefined ? '' : `?status=${encodeURIComponent(status)}`;
    const { sales } = (await callGateway(gateway, `/api/x402/sales${query}`)) as { sales: SaleView[] };
    if (sales.length === 0) console.log('no x402 sales need an operator');
    for (const s of sales) console.log(line(s));
    return 0;
  }
  if (verb !== 'resolve' || id === undefined)
    throw new UsageError(`Unknown or incomplete x402 command ${JSON.stringify(positional.join(' '))}. Usage: ${USAGE}`);
  const resume = flags.get('resume') === true;
  if (resume === (flags.get('release') === true))
    throw new UsageError(`"x402 resolve" needs exactly one of --resume or --release. Usage: ${USAGE}`);
  const reason = flags.get('reason');
  if (typeof reason !== 'string')
    throw new UsageError(`"x402 resolve" needs --reason: it goes in the audit log. Usage: ${USAGE}`);
  const { sale } = (await callGateway(gateway, `/api/x402/sales/${encodeURIComponent(id)}/resolve`, {
    action: resume ? 'resume' : 'release',
    reason,
  })) as { sale: SaleView };
  console.log(line(sale));
  return 0;
}
