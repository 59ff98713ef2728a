/**
 * The what-if scenario language shared by `mandate simulate` and POST /api/simulate:
 * `path=value` facts (`gas.gwei=80`) and `path=from..to:step` sweeps (`gas.gwei=20..200:20`).
 */
import { ScenarioInvalidError } from '../errors.ts';

/** A fact's dot path: `gas.gwei`, `fx.EURUSD`, `bands.eurShare`. */
export const FACT_PATH = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_$][\w-]*)*$/;
/** The most values one sweep may expand to. */
export const MAX_SWEEP_VALUES = 1000;

/** Facts forced after perception, by dot path. */
export type ScenarioFacts = Record<string, string | number | boolean | null>;

/** One fact swept over evenly spaced values. */
export interface SweepSpec {
  path: string;
  from: number;
  to: number;
  step: number;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;

/** `80` → 80, `true` → true, `null` → null, anything else stays text. */
function parseValue(text: string): string | number | boolean | null {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  return NUMBER.test(text) ? Number(text) : text;
}

function checkPath(path: string, token: string, form: string): string {
  if (!FACT_PATH.test(path))
    throw new ScenarioInvalidError(
      `"${token}": "${path}" is not a fact path; write ${form} with a dot path of letters, digits, "_" and "-".`,
      token,
    );
  return path;
}

/**
 * Parses `--set` tokens into facts; a later token for the same path wins.
 * @throws ScenarioInvalidError quoting the first token that is not `path=value`.
 * @example parseSetTokens(['gas.gwei=80', 'fx.EURUSD=1.02']) // { 'gas.gwei': 80, 'fx.EURUSD': 1.02 }
 */
export function parseSetTokens(tokens: readonly string[]): ScenarioFacts {
  const out: ScenarioFacts = {};
  for (const token of tokens) {
    const at = token.indexOf('=');
    if (at <= 0)
      throw new ScenarioInvalidError(`"--set ${token}" is not path=value; write e.g. --set gas.gwei=80.`, token);
    out[checkPath(token.slice(0, at), token, 'path=value')] = parseValue(token.slice(at + 1));
  }
  return out;
}

/**
 * Parses one `--sweep path=from..to:step` token.
 * @throws ScenarioInvalidError quoting the token when it is malformed, runs backwards, has a step
 * that is not positive or expands to more than {@link MAX_SWEEP_VALUES} values.
 */
export function parseSweepToken(token: string): SweepSpec {
  const m = /^([^=]+)=(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(token);
  if (m === null)
    throw new ScenarioInvalidError(
      `"--sweep ${token}" is not path=from..to:step; write e.g. --sweep gas.gwei=20..200:20.`,
      token,
    );
  return checkSweep(
    { path: checkPath(m[1]!, token, 'path=from..to:step'), from: +m[2]!, to: +m[3]!, step: +m[4]! },
    token,
  );
}

/** Checks a sweep's range (the API's parsed bodies come here too). */
export function checkSweep(spec: SweepSpec, token: string): SweepSpec {
  const { from, to, step } = spec;
  if (!(step > 0)) throw new ScenarioInvalidError(`"${token}": the step ${step} must be above 0.`, token);
  if (from > to) throw new ScenarioInvalidError(`"${token}": from ${from} is above to ${to}; swap them.`, token);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_SWEEP_VALUES)
    throw new ScenarioInvalidError(
      `"${token}" expands to ${count} values, over ${MAX_SWEEP_VALUES}; use a larger step or a narrower range.`,
      token,
    );
  return spec;
}

/** The values a sweep visits, `from` to `to` inclusive, rounded to the inputs' decimals (0.1 + 0.2 is 0.3). */
export function sweepValues({ from, to, step }: SweepSpec): number[] {
  const decimals = Math.max(...[from, step].map((n) => (String(n).split('.')[1] ?? '').length));
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(decimals)));
}
