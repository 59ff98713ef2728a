/**
 * `mandate agents params <id>` lists an agent's rule parameters; `mandate agents freeze|unfreeze
 * <id> <param>` and `mandate agents revert <id> <param> [--to-declared]` change a tunable one
 * through the node's gateway (audited there before it applies).
 */
import type { ParsedArgs } from './args.ts';
import { callGateway, type Gateway } from './callGateway.ts';
import { UsageError } from './errors.ts';

/** The `agents` verbs this file answers. */
export const PARAM_VERBS = ['params', 'freeze', 'unfreeze', 'revert'] as const;

/** Their usage line. */
export const PARAMS_USAGE =
  'mandate agents params <id> | mandate agents freeze|unfreeze <id> <param> [--reason text] | mandate agents revert <id> <param> [--to-declared] [--reason text]';

interface ParamView {
  key: string;
  value: number;
  declared: number;
  tunable?: { min: number; max: number; step: number };
  frozen: boolean;
  tunedAt: number | null;
}

function line(p: ParamView): string {
  const bounds = p.tunable === undefined ? 'fixed' : `${p.tunable.min}..${p.tunable.max} step ${p.tunable.step}`;
  const state = p.tunable === undefined ? '' : p.frozen ? '  frozen' : '  tuning';
  const tuned = p.tunedAt === null ? '' : `  tuned ${new Date(p.tunedAt).toISOString()}`;
  return `${p.key.padEnd(32)} ${String(p.value).padStart(8)}  declared ${p.declared}  ${bounds}${state}${tuned}`;
}

/** Runs one of {@link PARAM_VERBS}; returns the exit code. */
export async function agentParamsCommand(
  gateway: Gateway,
  args: Pick<ParsedArgs, 'positional' | 'flags'> & { usage: string },
): Promise<number> {
  const [verb, id, param] = args.positional as [(typeof PARAM_VERBS)[number], string, string | undefined];
  const agent = encodeURIComponent(id);
  if (verb === 'params') {
    const { params } = (await callGateway(gateway, `/api/agents/${agent}/params`)) as { params: ParamView[] };
    if (params.length === 0) console.log(`${id} has no rule parameters (declare them under a rule's params:)`);
    else for (const p of params) console.log(line(p));
    return 0;
  }
  if (param === undefined)
    throw new UsageError(`"agents ${verb}" needs the parameter, e.g. fees-spiking.threshold. Usage: ${args.usage}`);
  const toDeclared = verb === 'revert' && args.flags.get('to-declared') === true;
  const reason =
    (args.flags.get('reason') as string | undefined) ??
    `${verb} with "mandate agents ${verb} ${id} ${param}${toDeclared ? ' --to-declared' : ''}"`;
  const { parameter } = (await callGateway(
    gateway,
    `/api/agents/${agent}/params/${encodeURIComponent(param)}/${verb}`,
    { reason, ...(toDeclared ? { toDeclared: true } : {}) },
  )) as { parameter: ParamView };
  console.log(line(parameter));
  return 0;
}
