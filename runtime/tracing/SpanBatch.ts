/**
 * The body of one export request, filled span by span: each encoded span (ASCII, see otlpJson.ts) is
 * copied into a byte buffer the moment it is queued. The span's string dies young (its pieces never
 * outlive a scavenge, nothing is joined later) and the request sends the bytes as they are.
 */
export class SpanBatch {
  #buf: Buffer;
  #len: number;
  /** Spans in the batch. */
  count = 0;

  /** `prefix` opens the request (resource, scope); `bytesPerSpan` sizes the first buffer. */
  constructor(prefix: Buffer, spans: number, bytesPerSpan = 400) {
    this.#buf = Buffer.allocUnsafe(prefix.length + spans * bytesPerSpan);
    prefix.copy(this.#buf, 0);
    this.#len = prefix.length;
  }

  add(span: string): void {
    this.#room(span.length + 1);
    if (this.count > 0) this.#buf[this.#len++] = 0x2c; // ','
    this.#len += this.#buf.write(span, this.#len, 'latin1');
    this.count += 1;
  }

  /** The request body: the spans and `suffix`. The batch is not used after this. */
  seal(suffix: Buffer): Buffer {
    this.#room(suffix.length);
    suffix.copy(this.#buf, this.#len);
    return this.#buf.subarray(0, this.#len + suffix.length);
  }

  #room(bytes: number): void {
    if (this.#len + bytes <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + bytes));
    this.#buf.copy(bigger, 0, 0, this.#len);
    this.#buf = bigger;
  }
}
