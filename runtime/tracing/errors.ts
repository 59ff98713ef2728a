import { createError } from '../../kernel/index.ts';

/** A tracing setting (sampler, its argument, the OTLP endpoint or its CA file) is malformed; `details.variable` names it. */
export class TracingConfigError extends createError('MANDATE_ERR_TRACING_CONFIG', 'TracingConfigError') {
  constructor(variable: string, message: string) {
    super(message, { details: { variable } });
  }
}
