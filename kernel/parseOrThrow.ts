import type { z } from 'zod';

/** An error class of the caller's folder: it sets its own code and HTTP status, and takes the message and `details`. */
export type CodedErrorClass = new (
  message: string,
  options: ErrorOptions & { details?: Record<string, unknown> },
) => Error;

/** Options of {@link parseOrThrow}. */
export interface ParseOrThrowOptions {
  /** What is parsed, for the message: `"agent descriptor"`, `"request body"`. */
  what: string;
  /** The coded error to throw (e.g. `RegistryInputError`, `RequestInvalidError`). */
  error: CodedErrorClass;
  /** How to fix it, ending the message; default `fix the <what> and send it again`. */
  fix?: string;
  /** Path segments put before every issue's path (e.g. `['body']` for a request body). */
  at?: readonly PropertyKey[];
}

/**
 * Keys whose values are never quoted back: a mistyped secret is still a secret, and personal data
 * must not reach logs or the (unerasable) audit trail through an error message.
 */
const UNQUOTED = /seed|secret|password|passphrase|token|private|iban|e_?mail|phone|birth|creditor|debtor/i;
const MAX_QUOTE = 80;

/**
 * Parses `value` with `schema`, or throws `options.error` built from the first zod issue: the
 * message names the field path, quotes the value found there and says how to fix it; `details`
 * holds `path` and the first five `issues` (`{ path, message }`) for API bodies and logs.
 *
 * @example
 * const d = parseOrThrow(AgentDescriptorInputSchema, input, { what: 'agent descriptor', error: RegistryInputError });
 * // throws RegistryInputError: Invalid agent descriptor: "did" expected a did:key:z… Ed25519 identifier (got "did:web:x"); fix the agent descriptor and send it again.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: ParseOrThrowOptions,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0];
  const at = options.at ?? [];
  const path = fieldPath([...at, ...(first?.path ?? [])]);
  const got = quote(first?.path ?? [], value);
  const fix = options.fix ?? `fix the ${options.what} and send it again`;
  throw new options.error(
    `Invalid ${options.what}: "${path}" ${first?.message ?? 'is invalid'} (got ${got}); ${fix}.`,
    {
      details: {
        path,
        issues: issues.slice(0, 5).map((i) => ({ path: fieldPath([...at, ...i.path]), message: i.message })),
      },
    },
  );
}

function fieldPath(segments: readonly PropertyKey[]): string {
  return segments.length === 0 ? '(root)' : segments.map(String).join('.');
}

/** The value at `path` inside `root`, as short JSON text; `nothing` when absent. */
function quote(path: readonly PropertyKey[], root: unknown): string {
  let value = root;
  for (const segment of path) {
    if (UNQUOTED.test(String(segment))) return 'a value not quoted: secret or personal data';
    if (value === null || typeof value !== 'object') return 'nothing';
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text =
      typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol'
        ? String(value)
        : (JSON.stringify(value) ?? typeof value);
  } catch {
    // Circular or holding a BigInt: name its kind rather than quote it.
    text = Object.prototype.toString.call(value);
  }
  // A URL's password (postgresql://user:secret@host) is a secret too.
  text = text.replace(/\/\/([^:@/\s"]+):[^@/\s"]*@/g, '//$1:***@');
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE - 1)}…` : text;
}
