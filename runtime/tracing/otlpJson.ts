/**
 * OTLP/JSON (`ExportTraceServiceRequest`) written straight as strings: a span is one string built by
 * concatenation from pieces that are mostly cached (attribute fragments, names, timestamps shared by
 * the span that ends and the one that starts), and a batch is those strings joined between a fixed
 * prefix and suffix. No object tree per span, no `JSON.stringify` of one.
 */

/** An attribute value of a span: strings, integers and doubles, booleans. */
export type AttributeValue = string | number | boolean;

/** `{"key":…,"value":{…}}` for one attribute. */
export function attribute(key: string, value: AttributeValue): string {
  return `{"key":${quote(key)},"value":${anyValue(value)}}`;
}

const NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII_ALL = /[\u007f-\uffff]/g;

/**
 * A JSON string literal in ASCII only (anything past U+007E as `\uXXXX`), so a batch is one-byte text:
 * the exporter sends it as latin1, a plain copy, without measuring or encoding UTF-8.
 */
export function quote(text: string): string {
  const json = JSON.stringify(text);
  return NON_ASCII.test(json)
    ? json.replace(NON_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

function anyValue(v: AttributeValue): string {
  if (typeof v === 'string') return `{"stringValue":${quote(v)}}`;
  if (typeof v === 'boolean') return `{"boolValue":${v}}`;
  return Number.isSafeInteger(v) ? `{"intValue":"${v}"}` : `{"doubleValue":${Number.isFinite(v) ? v : 0}}`;
}

/** The attribute list body (no brackets) of a record of attributes. */
export function attributes(values: Readonly<Record<string, AttributeValue>>): string {
  let out = '';
  for (const key in values) out += (out === '' ? '' : ',') + attribute(key, values[key]!);
  return out;
}

/** Epoch milliseconds as OTLP's decimal string of nanoseconds (microsecond precision kept). */
export function nanos(ms: number): string {
  return Number.isInteger(ms) ? `${ms}000000` : `${Math.round(ms * 1_000)}000`;
}

/**
 * One span. `name` and `attrs` are already JSON (a quoted string; an attribute list body); `start`
 * and `end` come from {@link nanos}. Status 1 (ok) or 2 (error), kind 1 (internal).
 */
export function spanJson(s: SpanParts): string {
  return (
    `{"traceId":"${s.traceId}","spanId":"${s.spanId}"` +
    (s.parentSpanId === undefined ? '' : `,"parentSpanId":"${s.parentSpanId}"`) +
    `,"name":${s.name},"kind":1,"startTimeUnixNano":"${s.start}","endTimeUnixNano":"${s.end}","attributes":[${s.attrs}],"status":{"code":${s.error ? 2 : 1}}}`
  );
}

/** The parts of one span, pre-encoded (see {@link spanJson}). */
export interface SpanParts {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  start: string;
  end: string;
  attrs: string;
  error: boolean;
}

/** The text around a batch's spans: resource attributes and the instrumentation scope `mandate`. */
export function batchFrame(resource: Readonly<Record<string, string>>): { prefix: string; suffix: string } {
  return {
    prefix: `{"resourceSpans":[{"resource":{"attributes":[${attributes(resource)}]},"scopeSpans":[{"scope":{"name":"mandate"},"spans":[`,
    suffix: ']}]}]}',
  };
}
