import { z } from 'zod';

/** `String.prototype.isWellFormed` (ES2024, native in Node 20+): false exactly when the string holds a lone surrogate. */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;

/**
 * Why `text` cannot be stored and hashed as it is, or `undefined` when it can: PostgreSQL's text
 * and jsonb refuse U+0000, and a lone UTF-16 surrogate has no UTF-8 form (a text column would
 * store U+FFFD instead, so the bytes stored would no longer be the bytes hashed).
 */
export function unstorableTextReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'holds a NUL character (U+0000), which the database cannot store; remove it';
  if (!isWellFormed.call(text))
    return 'holds a lone UTF-16 surrogate, which has no UTF-8 form; send well-formed Unicode text';
  return undefined;
}

/**
 * A string schema refusing what the database cannot store exactly (see {@link unstorableTextReason}),
 * for every text that reaches the audit log or a table: validate it at the boundary, once, so the
 * stored bytes are exactly the hashed bytes.
 *
 * @example
 * const reason = storableText().min(1).max(1000);
 */
export function storableText(): z.ZodString {
  return z.string().superRefine((text, ctx) => {
    const reason = unstorableTextReason(text);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
}

/** Deepest nesting of objects and arrays accepted in JSON input (what a real task needs is a handful). */
export const MAX_JSON_DEPTH = 32;

/**
 * Where and why a JSON value cannot be stored and hashed exactly, or `undefined` when it can:
 * every string and key is checked with {@link unstorableTextReason}, and nesting past
 * `maxDepth` is refused (deep input costs recursion in every encoder after it).
 */
export function unstorableJson(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
): { path: (string | number)[]; reason: string } | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unstorableTextReason(v);
      if (reason !== undefined) return { path, reason };
    } else if (v !== null && typeof v === 'object') {
      if (path.length >= maxDepth) return { path, reason: `is nested more than ${maxDepth} deep; flatten the input` };
      for (const [key, inner] of Object.entries(v)) {
        const reason = unstorableTextReason(key);
        if (reason !== undefined) return { path, reason: `has a key that ${reason}` };
        stack.push({ value: inner, path: [...path, Array.isArray(v) ? Number(key) : key] });
      }
    }
  }
  return undefined;
}
