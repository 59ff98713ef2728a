import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, existsSync, truncateSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One mined block of the embedded chain, as the log keeps it. */
export interface LoggedBlock {
  /** Block number. */
  readonly n: number;
  /** Block timestamp (seconds). */
  readonly ts: number;
  /** The block hash the chain reported when it was mined (checked again on replay). */
  readonly hash: string;
  /** Signed transactions of the block, in order (empty for a block mined without any). */
  readonly txs: readonly string[];
}

/**
 * The embedded chain's durable record: one JSON line per mined block, appended and fsynced before
 * the transaction that made it is acknowledged. Replaying it into a fresh EVM rebuilds the same
 * state, block hashes and receipts. A torn last line (the process died mid-write, before the
 * fsync and so before any acknowledgement) is cut off when the log is opened.
 */
export class BlockLog {
  readonly #file: FileHandle;

  private constructor(file: FileHandle) {
    this.#file = file;
  }

  /** Reads every complete block of the log at `path` (none when it does not exist), cutting a torn tail. */
  static read(path: string): LoggedBlock[] {
    if (!existsSync(path)) return [];
    const text = readFileSync(path, 'utf8');
    const blocks: LoggedBlock[] = [];
    let good = 0;
    for (let at = 0; at < text.length;) {
      const end = text.indexOf('\n', at);
      if (end < 0) break; // torn tail: never acknowledged
      try {
        blocks.push(JSON.parse(text.slice(at, end)) as LoggedBlock);
      } catch {
        break;
      }
      at = end + 1;
      good = at;
    }
    if (good < Buffer.byteLength(text)) {
      truncateSync(path, Buffer.byteLength(text.slice(0, good)));
      const fd = openSync(path, 'r+');
      fsyncSync(fd);
      closeSync(fd);
    }
    return blocks;
  }

  /** Opens the log for appending (created with its directory when missing). */
  static async open(path: string): Promise<BlockLog> {
    mkdirSync(dirname(path), { recursive: true });
    return new BlockLog(await open(path, 'a'));
  }

  /** Appends one block and fsyncs it. */
  async append(block: LoggedBlock): Promise<void> {
    await this.#file.appendFile(`${JSON.stringify(block)}\n`);
    await this.#file.sync();
  }

  async close(): Promise<void> {
    await this.#file.close();
  }
}
