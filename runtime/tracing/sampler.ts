import { TracingConfigError } from './errors.ts';

/** The samplers of the OpenTelemetry SDK environment spec that Mandate implements (`OTEL_TRACES_SAMPLER`). */
export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** 2^52: the range of the 13 low hex digits of a trace id, the randomness a ratio sampler reads. */
const RANGE = 2 ** 52;
const PROBABILITY = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Decides whether a cycle's trace is sampled (its spans exported), once, when the cycle starts.
 * A root sampler (`always_on`, `always_off`, `traceidratio`) decides alone; a `parentbased_*` one
 * follows the sampled flag of the `traceparent` the cycle's trigger carried and uses its root
 * sampler only for a trace that starts here.
 */
export class Sampler {
  readonly name: SamplerName;
  /** The probability of a ratio sampler; 1 for `always_on`, 0 for `always_off`. */
  readonly ratio: number;
  readonly #parentBased: boolean;
  readonly #bound: number;

  constructor(name: SamplerName, ratio = 1) {
    this.name = name;
    const root = name.replace('parentbased_', '');
    this.ratio = root === 'always_on' ? 1 : root === 'always_off' ? 0 : ratio;
    this.#parentBased = name.startsWith('parentbased_');
    this.#bound = this.ratio * RANGE;
  }

  /** True when a root sampler would sample everything (no trace id needs drawing to decide). */
  get alwaysSamplesRoots(): boolean {
    return this.ratio >= 1;
  }

  /**
   * The decision for a trace: `parentSampled` is the remote parent's sampled flag (undefined for a
   * trace that starts here). `traceId` is read only by a ratio sampler: the trace id's 13 low hex
   * digits below `ratio` × 2^52, so every node with the same ratio decides the same for a trace.
   */
  sample(traceId: () => string, parentSampled: boolean | undefined): boolean {
    if (this.#parentBased && parentSampled !== undefined) return parentSampled;
    if (this.ratio >= 1) return true;
    if (this.ratio <= 0) return false;
    return Number.parseInt(traceId().slice(19), 16) < this.#bound;
  }

  /** `parentbased_traceidratio (0.1)`, for the start banner and the docs. */
  describe(): string {
    return this.name.endsWith('traceidratio') ? `${this.name} (${this.ratio})` : this.name;
  }
}

/**
 * The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name, per the OpenTelemetry SDK
 * environment spec: unset or empty is `parentbased_always_on`; names are read case-insensitively;
 * the argument is the ratio samplers' probability (default 1.0) and ignored by the others. Any other
 * sampler name (`jaeger_remote`, `xray` … are not implemented) or a ratio that is not a number from 0
 * to 1 is refused with `MANDATE_ERR_TRACING_CONFIG` naming the variable.
 */
export function samplerFromEnv(env: Readonly<Record<string, string | undefined>>): Sampler {
  const raw = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() ?? '';
  const name = raw === '' ? 'parentbased_always_on' : raw;
  if (!(SAMPLER_NAMES as readonly string[]).includes(name))
    throw new TracingConfigError(
      'OTEL_TRACES_SAMPLER',
      `OTEL_TRACES_SAMPLER is "${env.OTEL_TRACES_SAMPLER}"; use one of ${SAMPLER_NAMES.join(', ')} (or leave it unset for parentbased_always_on).`,
    );
  const sampler = name as SamplerName;
  if (!sampler.endsWith('traceidratio')) return new Sampler(sampler);
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim() ?? '';
  if (arg === '') return new Sampler(sampler, 1);
  const ratio = PROBABILITY.test(arg) ? Number(arg) : Number.NaN;
  if (!(ratio >= 0 && ratio <= 1))
    throw new TracingConfigError(
      'OTEL_TRACES_SAMPLER_ARG',
      `OTEL_TRACES_SAMPLER_ARG is "${env.OTEL_TRACES_SAMPLER_ARG}"; ${sampler} needs a probability from 0 to 1 (for example 0.25).`,
    );
  return new Sampler(sampler, ratio);
}
