import { MandateError } from '../kernel/index.ts';
import {
  createLogger,
  logInspectionEvent,
  type InspectionEvent,
  type LogFormat,
  type RuntimeLogger,
} from '../runtime/index.ts';
import { UsageError } from './errors.ts';
import { formatEvent } from './printEvent.ts';

/** Where `mandate run` writes: the banner, every inspection event, and failures. */
export interface RunOutput {
  readonly format: LogFormat;
  /** The structured logger (JSON format only): the gateway logs its warnings through it. */
  readonly logger: RuntimeLogger | undefined;
  /** A start-up line (`event` names it for log queries: `runtime.started`, `gateway.listening`). */
  banner(event: string, text: string, fields?: Record<string, unknown>): void;
  event(e: InspectionEvent): void;
  failure(error: unknown): void;
}

/**
 * The log format from `--log-format` or `MANDATE_LOG_FORMAT` (the flag wins): `json` or `text`
 * (the default: readable transition lines on a terminal).
 */
export function logFormatOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = flag ?? env.MANDATE_LOG_FORMAT ?? 'text';
  if (value === 'json' || value === 'text') return value;
  throw new UsageError(
    `${flag === undefined ? `MANDATE_LOG_FORMAT="${value}"` : `"--log-format ${value}"`} is not a log format; use json (one JSON object per line) or text.`,
  );
}

/** The output of one run: readable lines, or only JSON lines with the node on each. */
export function runOutput(options: { format: LogFormat; quiet: boolean; node: string }): RunOutput {
  if (options.format === 'text')
    return {
      format: 'text',
      logger: undefined,
      banner: (_event, text) => console.log(text),
      event: (e) => {
        const line = formatEvent(e, options.quiet);
        if (line !== undefined) console.log(line);
      },
      failure: (error) => console.error(error),
    };
  const logger = createLogger({ base: { node: options.node }, level: process.env.MANDATE_LOG_LEVEL ?? 'info' });
  return {
    format: 'json',
    logger,
    banner: (event, text, fields) => logger.info({ event, ...fields }, text),
    event: (e) => {
      if (options.quiet && e.type === 'transition' && e.to !== 'idle' && e.to !== 'failed') return;
      logInspectionEvent(logger, e);
    },
    failure: (error) => logger.error(failureFields(error), failureText(error)),
  };
}

/** `code` and `err` fields of a failure (pino's error serializer keeps the stack). */
export function failureFields(error: unknown): Record<string, unknown> {
  return {
    event: 'failure',
    ...(error instanceof MandateError ? { code: error.code } : {}),
    err: error,
  };
}

/** The failure's one-line text. */
export function failureText(error: unknown): string {
  return error instanceof MandateError ? `mandate: ${error.code}: ${error.message}` : `mandate: ${String(error)}`;
}
