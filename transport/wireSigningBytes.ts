const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** `,"sig":"` + 86 signature characters + `"}`: how a reference sender ends its wire text (signEnvelope). */
const SIG_TAIL = 8 + 86 + 2;
const SIG_HEAD = [COMMA, QUOTE, 0x73, 0x69, 0x67, QUOTE, COLON, QUOTE];
/** `sig` as bytes: a top-level member of that name inside the signed part would be a duplicate. */
const SIG = [0x73, 0x69, 0x67];
const BASE64URL = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') BASE64URL[c.charCodeAt(0)] = 1;
/** Escapes RFC 8785 writes as two characters: `"` `\` b f n r t. Everything else below U+0020 is `\u00xx`. */
const SHORT_ESCAPE = new Uint8Array(128);
for (const c of '"\\bfnrt') SHORT_ESCAPE[c.charCodeAt(0)] = 1;
const HAS_SHORT_FORM = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);
const latin1 = new TextDecoder('latin1');

/**
 * The signing bytes of a received envelope, read off its wire bytes without re-canonicalizing, when the sender
 * wrote it the way {@link signEnvelope} does: its RFC 8785 canonical text with `,"sig":"…"}` spliced in as the
 * last member. Then the wire text minus that member *is* the canonical form of everything else, so verifying
 * the signature over it is exactly the check of docs/protocol.md §3 (verify over the re-canonicalized parse).
 * Returns `undefined` whenever that cannot be proven by one linear scan (any other serialization, whitespace,
 * unsorted or non-ASCII or escaped keys, a number or string not in canonical form, a second top-level `sig`);
 * the receiver then canonicalizes the parsed envelope as before. Nothing a peer sends is treated differently:
 * the same envelopes are accepted and refused either way, only faster for canonical senders.
 *
 * The scan nests no deeper than `maxDepth` (arrays and objects, the envelope itself being depth 1): deeper
 * input is declined, so its recursion is bounded whatever the bytes are, and a defined result also proves the
 * envelope is within that depth limit ({@link openEnvelope} then skips its separate depth scan). A defined
 * result says nothing about UTF-8 or the schema: use it only once the envelope passed every other check.
 */
export function wireSigningBytes(wire: Uint8Array, maxDepth: number): Uint8Array | undefined {
  const n = wire.length;
  if (n < SIG_TAIL + 2 || wire[0] !== OPEN_OBJECT || wire[n - 1] !== CLOSE_OBJECT || wire[n - 2] !== QUOTE)
    return undefined;
  const tail = n - SIG_TAIL;
  for (let k = 0; k < SIG_HEAD.length; k++) if (wire[tail + k] !== SIG_HEAD[k]) return undefined;
  for (let k = tail + SIG_HEAD.length; k < n - 2; k++) if (BASE64URL[wire[k]!] !== 1) return undefined;
  const signed = new Uint8Array(tail + 1);
  signed.set(wire.subarray(0, tail));
  signed[tail] = CLOSE_OBJECT;
  return new CanonicalScan(signed, maxDepth).envelope() ? signed : undefined;
}

/** Recursive-descent check that bytes are exactly RFC 8785 output (conservatively: ASCII keys only). */
class CanonicalScan {
  #at = 0;
  #depth = 0;
  constructor(
    readonly b: Uint8Array,
    readonly maxDepth: number,
  ) {}

  envelope(): boolean {
    this.#depth = 1;
    return this.maxDepth >= 1 && this.#object(true) && this.#at === this.b.length;
  }

  #value(): boolean {
    const c = this.b[this.#at];
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++this.#depth > this.maxDepth) return false;
      const ok = c === OPEN_OBJECT ? this.#object(false) : this.#array();
      this.#depth--;
      return ok;
    }
    if (c === QUOTE) return this.#string(false) >= 0;
    if (c === 0x74) return this.#word('true');
    if (c === 0x66) return this.#word('false');
    if (c === 0x6e) return this.#word('null');
    return this.#number();
  }

  #object(top: boolean): boolean {
    const b = this.b;
    this.#at++;
    if (b[this.#at] === CLOSE_OBJECT) return (this.#at++, true);
    let prevStart = -1;
    let prevEnd = -1;
    for (;;) {
      const start = this.#at + 1;
      const end = this.#string(true);
      if (end < 0) return false;
      if (prevStart >= 0 && compare(b, [prevStart, prevEnd], [start, end]) >= 0) return false; // unsorted or duplicate
      if (top && end - start === 3 && b[start] === SIG[0] && b[start + 1] === SIG[1] && b[start + 2] === SIG[2])
        return false;
      prevStart = start;
      prevEnd = end;
      if (b[this.#at++] !== COLON || !this.#value()) return false;
      const next = b[this.#at++];
      if (next === CLOSE_OBJECT) return true;
      if (next !== COMMA) return false;
    }
  }

  #array(): boolean {
    const b = this.b;
    this.#at++;
    if (b[this.#at] === CLOSE_ARRAY) return (this.#at++, true);
    for (;;) {
      if (!this.#value()) return false;
      const next = b[this.#at++];
      if (next === CLOSE_ARRAY) return true;
      if (next !== COMMA) return false;
    }
  }

  /** Scans a string in canonical form; returns the index of its closing quote (then skipped), or -1. Keys: ASCII, no escapes. */
  #string(key: boolean): number {
    const b = this.b;
    if (b[this.#at] !== QUOTE) return -1;
    let i = this.#at + 1;
    for (;;) {
      const c = b[i];
      if (c === undefined || c < 0x20) return -1;
      if (c === QUOTE) break;
      if (c >= 0x80 && key) return -1;
      if (c === BACKSLASH) {
        if (key) return -1;
        const e = b[i + 1]!;
        if (e === 0x75) {
          // \u00xx only for controls without a short form, lowercase hex (RFC 8785 §3.2.2.2)
          const hi = b[i + 4]!;
          const lo = b[i + 5]!;
          if (b[i + 2] !== 0x30 || b[i + 3] !== 0x30 || (hi !== 0x30 && hi !== 0x31)) return -1;
          const low = lo >= 0x30 && lo <= 0x39 ? lo - 0x30 : lo >= 0x61 && lo <= 0x66 ? lo - 0x57 : -1;
          if (low < 0 || HAS_SHORT_FORM.has((hi - 0x30) * 16 + low)) return -1;
          i += 6;
        } else if (e < 128 && SHORT_ESCAPE[e] === 1) i += 2;
        else return -1;
        continue;
      }
      i++;
    }
    this.#at = i + 1;
    return i;
  }

  #word(w: string): boolean {
    for (let k = 0; k < w.length; k++) if (this.b[this.#at + k] !== w.charCodeAt(k)) return false;
    this.#at += w.length;
    return true;
  }

  /** A number token whose text is what ECMAScript's Number#toString gives back for it (RFC 8785 §3.2.2.3). */
  #number(): boolean {
    const b = this.b;
    const start = this.#at;
    let i = start;
    let plainInt = true;
    for (;;) {
      const c = b[i];
      if (c !== undefined && c >= 0x30 && c <= 0x39) i++;
      else if (c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) {
        if (!(c === 0x2d && i === start)) plainInt = false;
        i++;
      } else break;
    }
    const digits = i - start - (b[start] === 0x2d ? 1 : 0);
    if (digits === 0) return false;
    this.#at = i;
    const first = b[start] === 0x2d ? b[start + 1] : b[start];
    // Up to 15 digits without a leading zero (and not -0) is an exact double printed back identically.
    if (plainInt && digits <= 15) return first !== 0x30 || (digits === 1 && b[start] !== 0x2d);
    const text = latin1.decode(b.subarray(start, i));
    return String(Number(text)) === text;
  }
}

/** Byte-wise comparison of two ASCII ranges (equal to UTF-16 code unit order for ASCII). */
function compare(b: Uint8Array, [s1, e1]: [number, number], [s2, e2]: [number, number]): number {
  const l1 = e1 - s1;
  const l2 = e2 - s2;
  const len = Math.min(l1, l2);
  for (let k = 0; k < len; k++) {
    const d = b[s1 + k]! - b[s2 + k]!;
    if (d !== 0) return d;
  }
  return l1 - l2;
}
