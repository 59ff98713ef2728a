#!/usr/bin/env node
import { codeOf, ErrorCode, MandateError } from '../kernel/index.ts';
import { UsageError } from './errors.ts';
import { createLogger } from '../runtime/index.ts';
import { failureFields, failureText } from './runOutput.ts';
import { runCommand } from './runCommand.ts';
import { simulateCommand } from './simulateCommand.ts';
import { validateCommand } from './validateCommand.ts';

const HELP = `mandate — actor-model runtime for autonomous payment and treasury agents

Usage:
  mandate run [dir] [--live] [--duration 30s] [--quiet] [--port 8080] [--no-gateway] [--data-dir .mandate/data]
             [--log-format text|json]
             [--accept-weak-durability]
      Run an agent system (default: examples/treasury). Dry-run unless --live.
      --log-format json (or MANDATE_LOG_FORMAT=json) writes one JSON object per line.
      Uses PostgreSQL when DATABASE_URL is set, else the embedded database.
      --live pays on the embedded chain (in .mandate/chain, contracts deployed on first
      start), or on EVM_RPC_URL with the operator key from MANDATE_OPERATOR_KEYSTORE and
      MANDATE_OPERATOR_KEYSTORE_PASSWORD; it is refused on storage that is not durable
      (fsync, synchronous_commit, JetStream sync) unless --accept-weak-durability.
  mandate simulate [dir] --set gas.gwei=80 [--set fx.EURUSD=1.02 ...] [--sweep gas.gwei=20..200:20] [--agent id] [--json]
      What-if: one dry-run cycle of each agent with these facts forced; prints each agent's
      options and scores, choice, confidence, risk, expected outcome, rules fired and verdict
      (--json: one JSON object per line per agent). --sweep runs one scenario per value and
      prints a table of the decisions. The same over the API: POST /api/simulate.
  mandate shadow [dir] --rules <new rules dir> [--since 24h] [--agent id] [--json] [--data-dir .mandate/data]
      Replay the perceptions recorded in the journal through the new rules and print how each
      decision would differ (same, changed, new, dropped) and the money the differences move.
  mandate validate <file.yaml>...
      Check agent, rule and governance YAML files; errors name the field.
  mandate audit verify
      Verify the audit hash chain and its signed checkpoints; exit 1 on a break.
  mandate token create --name N --role observer|operator|admin [--expires 30d] [--data-dir .mandate/data]
  mandate token list | mandate token revoke N
      The gateway's bearer tokens (hashes in MANDATE_TOKEN_FILE, else <data dir>/../tokens.json); a running gateway picks
      up a change within a second. A created token is printed once.
  mandate agents versions <id> [--url http://127.0.0.1:8080] [--token T]
  mandate agents rollback <id> --to <version> [--reason text]
      A running node's stored definition versions of an agent (* = the one it runs), and a
      rollback (or roll forward) to one: the agent restarts on it with its identity and state.
  mandate agents params <id>
  mandate agents freeze|unfreeze <id> <param> [--reason text]
  mandate agents revert <id> <param> [--to-declared] [--reason text]
      An agent's rule parameters (value now, declared, bounds, frozen), and stopping, restarting
      or undoing the tuner's changes to one (<rule>.<name>); each change is audited first.
      Both talk to the gateway at --url (MANDATE_URL) with --token (MANDATE_TOKEN, operator or admin).
  mandate x402 sales [--status interrupted]
  mandate x402 resolve <sale id> --resume|--release --reason text
      x402 sales that may need an operator (under way, interrupted by a crash mid-task, held), and
      resuming (the buyer's retry runs the task, settled once) or releasing (ended unsettled) an
      interrupted one, audited; through the gateway like "agents".
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'validate':
      return validateCommand(rest);
    case 'simulate':
      return simulateCommand(rest);
    case 'shadow':
      return (await import('./shadowCommand.ts')).shadowCommand(rest);
    case 'audit':
      return (await import('./auditCommand.ts')).runAuditCommand(rest);
    case 'token':
      return (await import('./tokenCommand.ts')).tokenCommand(rest);
    case 'agents':
      return (await import('./agentsCommand.ts')).agentsCommand(rest);
    case 'x402':
      return (await import('./x402Command.ts')).x402Command(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(HELP);
      return 0;
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

/** `MANDATE_LOG_FORMAT=json` or `--log-format json`: a failure is one JSON line too. */
function jsonLogs(argv: string[]): boolean {
  const at = argv.indexOf('--log-format');
  return process.env.MANDATE_LOG_FORMAT === 'json' || argv.includes('--log-format=json') || argv[at + 1] === 'json';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (jsonLogs(process.argv)) createLogger().error(failureFields(error), failureText(error));
    else if (error instanceof MandateError) console.error(`mandate: ${error.code}: ${error.message}`);
    else console.error('mandate:', error);
    const usage =
      error instanceof UsageError ||
      codeOf(error, ErrorCode.MANDATE_ERR_USAGE) === ErrorCode.MANDATE_ERR_SCENARIO_INVALID;
    process.exit(usage ? 2 : 1);
  },
);
