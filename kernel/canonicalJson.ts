import { CanonicalJsonError } from './errors.ts';

const encoder = new TextEncoder();
/** `String.prototype.isWellFormed` (ES2024, native in Node 20+): false exactly when the string holds a lone surrogate. */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;

/** Thrown inside the encoder; each level on the way out adds its key, so the hot path builds no paths. */
class PathError extends Error {
  readonly segments: string[] = [];
  constructor(readonly reason: (path: string) => string) {
    super('canonical json');
  }
}

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) of a JSON value, as a string: the one encoder behind
 * every hash and signature in Mandate (envelope signatures, the audit hash chain and its signed
 * checkpoints, rail intent fingerprints, runtime intent params hashes).
 *
 * Numbers use the ECMAScript shortest round-trip form (what `JSON.stringify` emits, which is
 * what RFC 8785 §3.2.2.3 prescribes; `-0` is `0`), object keys are sorted by UTF-16 code units
 * (§3.2.3, so `"\ud83d\ude00"` sorts before `"\ufb33"`), strings use the minimal JSON escapes
 * (§3.2.2.2). Object members whose value is `undefined` are omitted (as `JSON.stringify` and a JSON
 * parser would: the member does not exist in JSON). Everything that has no I-JSON form is refused
 * with a {@link CanonicalJsonError} naming its path: NaN and ±Infinity, lone UTF-16 surrogates
 * (RFC 7493 §2.1), `undefined` or holes in arrays, bigints, functions, symbols, and objects that are
 * not plain (`Date`, `Map`, class instances, boxed primitives: their JSON text is not their content).
 *
 * @example
 * canonicalJson({ b: 1, a: [1e21, 'é'] }) // '{"a":[1e+21,"é"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  try {
    return encode(value);
  } catch (err) {
    if (!(err instanceof PathError)) throw err;
    const path = '$' + err.segments.reverse().join('');
    throw new CanonicalJsonError(err.reason(path), { details: { path } });
  }
}

/** {@link canonicalJson} as UTF-8 bytes: the bytes that get signed. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}

function encode(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value))
        throw new PathError(
          (p) => `Cannot canonicalize ${value} at ${p}: JSON has no NaN or Infinity. Send it as a string.`,
        );
      return String(value); // -0 → "0", 1e21 → "1e+21": the ES Number#toString form RFC 8785 requires (= JSON.stringify)
    case 'string':
      return encodeString(value);
    case 'object':
      break;
    default:
      throw new PathError(
        (p) =>
          `Cannot canonicalize a ${typeof value} at ${p}: only JSON values (null, boolean, number, string, array, plain object) can be signed.`,
      );
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      try {
        if (value[i] === undefined) throw new PathError((p) => `Cannot canonicalize undefined at ${p}: use null.`);
        out += (i === 0 ? '' : ',') + encode(value[i]);
      } catch (err) {
        if (err instanceof PathError) err.segments.push(`[${i}]`);
        throw err;
      }
    }
    return out + ']';
  }
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto !== Object.prototype && proto !== null) {
    const name = proto?.constructor?.name ?? 'non-plain object';
    throw new PathError(
      (p) => `Cannot canonicalize a ${name} at ${p}: convert it to a plain JSON object or string first.`,
    );
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, exactly RFC 8785 §3.2.3.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    try {
      out += (first ? '' : ',') + encodeString(key) + ':' + encode(item);
    } catch (err) {
      if (err instanceof PathError) err.segments.push(`.${key}`);
      throw err;
    }
    first = false;
  }
  return out + '}';
}

/** No quote, backslash, control character or surrogate (paired or lone): the string's JSON form is itself in quotes. */
// eslint-disable-next-line no-control-regex -- the controls are exactly what must be escaped
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function encodeString(value: string): string {
  // The common case on the hot path (names, dids, base64url, decimal strings) without a JSON.stringify call.
  if (PLAIN.test(value)) return '"' + value + '"';
  if (!isWellFormed.call(value)) {
    throw new PathError(
      (p) =>
        `Cannot canonicalize a string with a lone UTF-16 surrogate at ${p}: it is not valid Unicode (I-JSON, RFC 7493).`,
    );
  }
  // JSON.stringify uses exactly the RFC 8785 escapes: \b \t \n \f \r \" \\ and \u00xx (lowercase) for other controls.
  return JSON.stringify(value);
}
