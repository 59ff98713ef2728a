import { UsageError } from './errors.ts';

/** Parsed `--flag value` / `--flag` options and positional arguments. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Parses argv against the flags a command knows; unknown flags are usage errors. */
export function parseArgs(argv: readonly string[], known: Record<string, 'boolean' | 'string'>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const kind = known[name];
    if (kind === undefined) throw new UsageError(`Unknown option "--${name}".`);
    if (kind === 'boolean') flags.set(name, true);
    else {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`Option "--${name}" needs a value.`);
      flags.set(name, value);
    }
  }
  return { positional, flags };
}
