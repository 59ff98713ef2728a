import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';

/** The runtime's logger: pino, so every line is one JSON object with `time`, `level` and `msg`. */
export type RuntimeLogger = Logger;

/** How `mandate run` writes its lines: readable transition lines, or one JSON object per line. */
export type LogFormat = 'text' | 'json';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Fields on every line (`node`). */
  base?: Record<string, unknown>;
  /** Minimum level (`MANDATE_LOG_LEVEL`); default `info`. */
  level?: string;
  /** Where lines go; default stdout (synchronously, so nothing is lost at exit). */
  destination?: DestinationStream;
}

/**
 * The one structured logger of a node. Field names are stable (docs/observability.md lists them
 * for Loki and Elasticsearch): `time` is ISO 8601, `level` is the level's name, `msg` the text.
 *
 * @example
 * const log = createLogger({ base: { node: 'node-1' } });
 * log.info({ event: 'runtime.started' }, 'mandate: 4 agents on node node-1');
 */
export function createLogger(options: LoggerOptions = {}): RuntimeLogger {
  return pino(
    {
      base: options.base ?? null,
      level: options.level ?? 'info',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
