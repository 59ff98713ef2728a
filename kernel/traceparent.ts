/** A W3C Trace Context position: the trace and the span a message was sent from (lower-case hex). */
export interface TraceParent {
  /** 32 hex digits, not all zero. */
  traceId: string;
  /** 16 hex digits, not all zero: the sender's span, parent of the receiver's. */
  spanId: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * Reads a W3C `traceparent` header (`00-<trace-id>-<parent-id>-<flags>`). Anything else — another
 * version, upper case, an all-zero id, a missing header — is `undefined`: per the W3C spec a receiver
 * ignores a malformed `traceparent` and starts a trace of its own; it is never an error.
 *
 * @example
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
 * // { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }
 */
export function parseTraceparent(header: string | undefined): TraceParent | undefined {
  if (header === undefined) return undefined;
  const m = TRACEPARENT.exec(header);
  if (m === null) return undefined;
  const [, traceId, spanId] = m as unknown as [string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId };
}

/** The `traceparent` header for a span of a sampled trace (flags `01`: the runtime exports every trace it starts). */
export function formatTraceparent(p: TraceParent): string {
  return `00-${p.traceId}-${p.spanId}-01`;
}
