/**
 * KYB records and sanctions lists from a YAML (or JSON) file kept by compliance:
 *
 * ```yaml
 * counterparties:
 *   acme-gmbh: { status: verified, jurisdiction: DE, verifiedAt: 2026-06-01T00:00:00Z, expiresAt: 2027-06-01T00:00:00Z }
 *   new-supplier: { status: pending }
 * sanctions:
 *   - { name: Evil Corp, aliases: [EvilCorp Ltd], list: OFAC SDN, addresses: ["0x…"] }
 * ```
 *
 * The file is read again when it changes (by modification time), so compliance edits take effect
 * without a restart; a file that stops parsing keeps the last good contents and says why.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { KybConfigError, KybUnavailableError } from './errors.ts';
import {
  kybRecordSchema,
  sanctionsEntrySchema,
  screen,
  type KybAnswer,
  type KybProvider,
  type KybRecord,
  type SanctionsEntry,
} from './KybProvider.ts';

const fileSchema = z
  .object({
    counterparties: z.record(z.string().min(1), kybRecordSchema).default({}),
    sanctions: z.array(sanctionsEntrySchema).default([]),
  })
  .strict();

interface Contents {
  readonly counterparties: ReadonlyMap<string, KybRecord>;
  readonly sanctions: readonly SanctionsEntry[];
}

/** Parses a list file's text; throws {@link KybConfigError} naming the first bad entry. */
export function parseKybFile(text: string, source: string): Contents {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (cause) {
    throw new KybConfigError(`${source} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new KybConfigError(`${source}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`, {
      details: { source, field: issue.path.join('.') },
    });
  }
  return { counterparties: new Map(Object.entries(parsed.data.counterparties)), sanctions: parsed.data.sanctions };
}

/** A {@link KybProvider} over a list file. */
export class FileKybProvider implements KybProvider {
  readonly name: string;
  readonly #path: string;
  #contents: Contents;
  #mtimeMs: number;
  /** Why the latest change to the file was not taken, if it was not. */
  lastReloadError: KybConfigError | undefined;

  private constructor(path: string, contents: Contents, mtimeMs: number) {
    this.#path = path;
    this.name = `file:${path}`;
    this.#contents = contents;
    this.#mtimeMs = mtimeMs;
  }

  /** Reads and validates `path`; a missing or malformed file is refused at start. */
  static async open(path: string): Promise<FileKybProvider> {
    const [text, info] = await Promise.all([
      readFile(path, 'utf8').catch((cause: unknown) => {
        throw new KybConfigError(`KYB list ${path} cannot be read (${(cause as Error).message})`, { cause });
      }),
      stat(path),
    ]);
    return new FileKybProvider(path, parseKybFile(text, path), info.mtimeMs);
  }

  async lookup(counterparty: string): Promise<KybAnswer> {
    await this.#reloadIfChanged();
    const record = this.#contents.counterparties.get(counterparty);
    return { ...(record === undefined ? {} : { record }), sanctions: screen(counterparty, this.#contents.sanctions) };
  }

  async #reloadIfChanged(): Promise<void> {
    let info;
    try {
      info = await stat(this.#path);
    } catch (cause) {
      throw new KybUnavailableError(`KYB list ${this.#path} is gone (${(cause as Error).message}); restore it`, {
        cause,
      });
    }
    if (info.mtimeMs === this.#mtimeMs) return;
    this.#mtimeMs = info.mtimeMs;
    try {
      this.#contents = parseKybFile(await readFile(this.#path, 'utf8'), this.#path);
      this.lastReloadError = undefined;
    } catch (error) {
      // Keep screening against the last good list rather than against none.
      this.lastReloadError = error as KybConfigError;
    }
  }
}
