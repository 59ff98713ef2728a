/**
 * The pure parts of the audit panel: who an entry names (agent names beside DIDs), where it
 * happened, server-side paging through keyset cursors (older and newer), and the words for a
 * chain verification's verdict.
 */
import type { AuditEntry, AuditVerdict } from '../types.ts';

/** `did:key:z6MkabcdefghXYZ` → `did:key:z6Mkab…wXYZ`: enough to tell two apart, short enough to fit. */
export function shortDid(did: string): string {
  return did.length <= 24 ? did : `${did.slice(0, 14)}…${did.slice(-4)}`;
}

/** The text of a principal or subject: an agent's name beside its short DID when the DID is known, else as recorded. */
export function nameOf(id: string, names: ReadonlyMap<string, string>, kind?: string): string {
  const name = names.get(id);
  if (name !== undefined) return `${name} (${shortDid(id)})`;
  if (id.startsWith('did:')) return `${kind === undefined ? '' : `${kind}:`}${shortDid(id)}`;
  return kind === undefined ? id : `${kind}:${id}`;
}

/** Where the entry happened: its `where`, with the node and region its data records, when they differ from it. */
export function whereOf(e: Pick<AuditEntry, 'where' | 'data'>): string {
  const data = e.data as Record<string, unknown>;
  const parts = e.where === '' ? [] : [e.where];
  for (const [label, value] of [
    ['node', data.node ?? data.nodeId],
    ['region', data.region],
  ] as const)
    if (typeof value === 'string' && value !== '' && !e.where.split('/').includes(value))
      parts.push(`${label} ${value}`);
  return parts.join(' · ');
}

/**
 * Walks an audit query page by page on the server. Keyset cursors only go older, so the cursors
 * of the pages seen are kept to go back (newer) without reading anything twice.
 */
export class AuditPager {
  /** `starts[i]`: the cursor page i+1 was read with (undefined: the newest page). */
  readonly #starts: Array<string | undefined> = [undefined];
  #next: string | null = null;

  /** The page shown, from 1 (the newest). */
  get page(): number {
    return this.#starts.length;
  }
  /** The cursor to read the page shown with. */
  get cursor(): string | undefined {
    return this.#starts[this.#starts.length - 1];
  }
  get hasOlder(): boolean {
    return this.#next !== null;
  }
  get hasNewer(): boolean {
    return this.#starts.length > 1;
  }
  /** Records what the page shown answered as its `nextCursor`. */
  loaded(nextCursor: string | null): void {
    this.#next = nextCursor;
  }
  /** Moves to the next older page; returns its cursor, or undefined when there is none. */
  older(): string | undefined {
    const start = this.#next;
    if (start === null) return undefined;
    this.#starts.push(start);
    this.#next = null;
    return start;
  }
  /** Moves to the next newer page; false when the newest is shown. */
  newer(): boolean {
    if (this.#starts.length === 1) return false;
    this.#starts.pop();
    this.#next = null;
    return true;
  }
  /** Back to the newest page (new filters). */
  reset(): void {
    this.#starts.length = 1;
    this.#next = null;
  }
  /** `entries 101–200 shown (page 2), older available`, counting `rows` rows on the page shown of `pageSize`. */
  status(rows: number, pageSize: number): string {
    const first = (this.page - 1) * pageSize + 1;
    const range = rows === 0 ? 'no entries' : `entries ${first}–${first + rows - 1}`;
    return `${range} shown (page ${this.page})${this.hasOlder ? ', older available' : ''}`;
  }
}

/** The verdict of POST /api/audit/verify in a sentence, and whether it is good news. */
export function verdictText(v: AuditVerdict): { ok: boolean; text: string } {
  const head = v.head === null ? 'empty log' : `head seq ${v.head.seq}`;
  const signed =
    v.latestCheckpoint === null
      ? 'no signed checkpoint'
      : `${v.checkpoints} signed checkpoint${v.checkpoints === 1 ? '' : 's'}, latest at seq ${v.latestCheckpoint.seq}`;
  if (v.ok) return { ok: true, text: `Chain verified: ${v.entries} entries, ${head}, ${signed}.` };
  const first = v.breaks[0];
  const where = first === undefined ? 'somewhere' : `at seq ${first.seq} (${first.reason}): ${first.message}`;
  const more = v.breaks.length > 1 ? ` ${v.breaks.length - 1} more break${v.breaks.length === 2 ? '' : 's'}.` : '';
  return { ok: false, text: `Chain BROKEN ${where}.${more} Read ${v.entries} entries, ${head}, ${signed}.` };
}
