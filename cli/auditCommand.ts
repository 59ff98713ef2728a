import { parseArgs } from 'node:util';
import { codeOf, ErrorCode } from '../kernel/index.ts';
import type { AuditVerifyResult } from '../runtime/index.ts';
import { openStore, type OpenStoreOptions } from '../runtime/index.ts';

/** Where the command writes, and the environment it reads (injectable for tests). */
export interface AuditCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

const USAGE = `Usage: mandate audit verify [--database-url URL] [--data-dir DIR] [--key-file FILE] [--trust DID]... [--json]

Re-reads the whole audit log and checks its hash chain and signed checkpoints.
Detects edited, deleted, reordered and truncated entries and says where the chain breaks.
Uses DATABASE_URL, else the embedded database in MANDATE_DATA_DIR (default .mandate/data),
and the runtime's secret (MANDATE_SECRET_KEY, else the key file beside the data directory):
checkpoints must be signed by the store's own signer or a --trust did.
Exit code 0: the chain verifies. 1: it does not, or it could not be read.
`;

/**
 * `mandate audit verify`: verifies the audit chain of the configured store and prints the result.
 * Returns the process exit code: 0 when the chain verifies, 1 when it is broken or unreadable.
 *
 * @example
 * process.exitCode = await runAuditCommand(['verify', '--json']);
 */
export async function runAuditCommand(
  argv: string[],
  io: AuditCommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'database-url': { type: 'string' },
        'data-dir': { type: 'string' },
        'key-file': { type: 'string' },
        trust: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr.write(`${ErrorCode.MANDATE_ERR_USAGE}: ${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (args.values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.positionals[0] !== 'verify' || args.positionals.length !== 1) {
    io.stderr.write(
      `${ErrorCode.MANDATE_ERR_USAGE}: unknown audit command "${args.positionals.join(' ')}"; the only one is "verify".\n\n${USAGE}`,
    );
    return 1;
  }
  const options: OpenStoreOptions = { env: io.env, retry: { attempts: 3 } };
  if (args.values['database-url'] !== undefined) options.databaseUrl = args.values['database-url'];
  if (args.values['data-dir'] !== undefined) options.dataDir = args.values['data-dir'];
  if (args.values['key-file'] !== undefined) options.keyFile = args.values['key-file'];
  let result: AuditVerifyResult;
  try {
    const store = await openStore(options);
    try {
      result = await store.audit.verify({ trustedSigners: args.values.trust ?? [] });
    } finally {
      await store.close();
    }
  } catch (error) {
    const code = codeOf(error, ErrorCode.MANDATE_ERR_STORE_UNAVAILABLE);
    io.stderr.write(`audit verify failed: ${code}: ${(error as Error).message}\n`);
    return 1;
  }
  io.stdout.write(args.values.json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
  return result.ok ? 0 : 1;
}

function formatResult(r: AuditVerifyResult): string {
  const head = r.head === null ? 'empty log' : `head seq ${r.head.seq} (hash ${r.head.hash.slice(0, 16)}…)`;
  const cp =
    r.latestCheckpoint === null
      ? 'no signed checkpoint'
      : `latest checkpoint at seq ${r.latestCheckpoint.seq} signed by ${r.latestCheckpoint.signer}`;
  if (r.ok) return `audit chain OK: ${r.entries} entries, ${head}, ${r.checkpoints} signed checkpoints, ${cp}\n`;
  const first = r.breaks[0]!;
  const lines = [`audit chain BROKEN at seq ${first.seq} (${first.reason}): ${first.message}`];
  for (const b of r.breaks.slice(1)) lines.push(`  also at seq ${b.seq} (${b.reason}): ${b.message}`);
  lines.push(`read ${r.entries} entries, ${head}, ${r.checkpoints} signed checkpoints, ${cp}`);
  return `${lines.join('\n')}\n`;
}
