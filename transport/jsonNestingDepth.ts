const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The deepest nesting of arrays and objects in JSON text, found by one linear scan of the raw bytes (string
 * contents and escapes skipped) and stopped as soon as it passes `limit`. It runs before `JSON.parse` and
 * everything after it that recurses (canonical JSON, schemas), so no input can exhaust the stack. The scan
 * does not validate the JSON; the parser does. UTF-8 continuation bytes are never ASCII, so multi-byte
 * characters cannot be mistaken for brackets or quotes.
 *
 * @example
 * jsonNestingDepth(new TextEncoder().encode('{"a":[1,{"b":"]"}]}'), 32) // 3
 */
export function jsonNestingDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return max;
}
