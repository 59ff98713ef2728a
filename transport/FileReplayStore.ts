import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { MemoryReplayStore } from './MemoryReplayStore.ts';
import type { ReplayStore } from './ReplayStore.ts';

/**
 * {@link ReplayStore} backed by an append-only file: the embedded default. Every claim is written to the OS
 * before it resolves (the first of an event-loop turn at once, the rest of the turn with one shared write),
 * so a process crash loses nothing; the file is
 * compacted to the live entries when opened and when it grows past 4× them.
 * Not fsynced per claim: a power loss can forget the last claims (say so to operators needing more; use NATS KV).
 *
 * @example
 * const store = FileReplayStore.open('/var/lib/mandate/replay.log', Date.now());
 */
export class FileReplayStore implements ReplayStore {
  readonly #memory = new MemoryReplayStore();
  readonly #path: string;
  #fd: number;
  #lines = 0;
  #batch: string[] = [];
  #batchNow = 0;
  /** Settles when this turn's held claims are written; undefined outside a turn with claims. */
  #turnEnd: Promise<void> | undefined;

  private constructor(path: string, now: number) {
    this.#path = path;
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      // The segment after the last newline is a line torn by a crash mid-write: its claim never resolved, so
      // no handler ran for it and it is safe to forget.
      lines.pop();
      for (const line of lines) {
        const tab = line.indexOf('\t');
        if (tab <= 0) continue;
        const exp = Number(line.slice(tab + 1));
        if (Number.isFinite(exp) && exp >= now) this.#memory.claimSync(line.slice(0, tab), exp, now);
      }
    }
    this.#fd = this.#rewrite(now);
  }

  /** Opens (creating or compacting) the log at `path`. */
  static open(path: string, now: number): FileReplayStore {
    return new FileReplayStore(path, now);
  }

  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    if (!this.#memory.claimSync(key, expiresAt, now)) return false;
    this.#batch.push(`${key}\t${expiresAt}\n`);
    this.#batchNow = now;
    if (this.#turnEnd !== undefined) {
      // Later claims of the turn share one write(2) when it ends.
      await this.#turnEnd;
      return true;
    }
    // The first claim of an event-loop turn is written at once: a lone request pays no wait.
    this.#flush();
    this.#turnEnd = new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        this.#turnEnd = undefined;
        try {
          this.#flush();
          resolve();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      }),
    );
    // Nobody may be waiting on this turn; its failure is still seen by the claims that do wait.
    this.#turnEnd.catch(() => undefined);
    return true;
  }

  #flush(): void {
    const lines = this.#batch;
    this.#batch = [];
    if (lines.length === 0) return;
    writeSync(this.#fd, lines.join(''));
    this.#lines += lines.length;
    if (this.#lines > 4 * Math.max(1024, this.#memory.size)) {
      closeSync(this.#fd);
      this.#fd = this.#rewrite(this.#batchNow);
    }
  }

  async has(key: string, now: number): Promise<boolean> {
    return this.#memory.has(key, now);
  }

  async close(): Promise<void> {
    await this.#turnEnd;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
  }

  #rewrite(now: number): number {
    const tmp = `${this.#path}.tmp`;
    const fd = openSync(tmp, 'w');
    const live = this.#memory.entries(now);
    if (live.length > 0) writeSync(fd, live.map(([k, e]) => `${k}\t${e}\n`).join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.#path);
    this.#lines = live.length;
    return openSync(this.#path, 'a');
  }
}
