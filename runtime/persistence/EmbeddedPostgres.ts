import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { StoreLockedError, StoreUnavailableError } from './errors.ts';

/** PGlite's own start parameters without `-F`, so the cluster runs with `fsync = on`. */
const DURABLE_START_PARAMS = (PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams.filter(
  (p) => p !== '-F',
);

/** Options of {@link EmbeddedPostgres.start}. */
export interface EmbeddedPostgresOptions {
  /** Directory PGlite persists its cluster in; created when missing. */
  dataDir: string;
  /** Concurrent socket connections the server accepts (the store's pool stays below it). */
  maxConnections?: number;
}

/**
 * The embedded database: a PGlite (PostgreSQL compiled to WASM) cluster persisted under a data
 * directory and served over the PostgreSQL wire protocol on a random loopback port, so the store
 * reaches it with the same MikroORM PostgreSQL driver, schema and queries as a real server.
 *
 * A lock file beside the data directory keeps a second process from opening the same cluster
 * (two PGlite instances on one directory corrupt it); a lock left by a dead process is taken over.
 */
export class EmbeddedPostgres {
  readonly #db: PGlite;
  readonly #server: PGLiteSocketServer;
  readonly #lockFile: string;
  /** `postgresql://` URL of the socket server. */
  readonly url: string;

  private constructor(db: PGlite, server: PGLiteSocketServer, lockFile: string, url: string) {
    this.#db = db;
    this.#server = server;
    this.#lockFile = lockFile;
    this.url = url;
  }

  /** Opens (or creates) the cluster and starts serving it on 127.0.0.1 at a free port. */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dirname(dataDir), { recursive: true });
    const lockFile = `${dataDir}.lock`;
    takeLock(lockFile, dataDir);
    let db: PGlite | undefined;
    try {
      // PGlite starts PostgreSQL with -F (fsync off) unless told otherwise: live money needs fsync on.
      db = await PGlite.create(dataDir, { startParams: DURABLE_START_PARAMS });
      const server = new PGLiteSocketServer({
        db,
        host: '127.0.0.1',
        port: 0,
        maxConnections: options.maxConnections ?? 8,
      });
      await server.start();
      const conn = server.getServerConn();
      const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
      return new EmbeddedPostgres(
        db,
        server,
        lockFile,
        `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
      );
    } catch (cause) {
      await db?.close().catch(() => undefined);
      rmSync(lockFile, { force: true });
      throw new StoreUnavailableError(
        `The embedded database in "${dataDir}" could not be opened: ${(cause as Error).message}. ` +
          'Check the directory is writable and not a PGlite cluster of another version, or set DATABASE_URL to use PostgreSQL.',
        { cause },
      );
    }
  }

  /** Stops serving, closes the cluster cleanly (checkpointing it) and releases the lock. */
  async stop(): Promise<void> {
    await this.#server.stop();
    await this.#db.close();
    rmSync(this.#lockFile, { force: true });
  }
}

function takeLock(lockFile: string, dataDir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new StoreLockedError(
          `The embedded database "${dataDir}" is in use by process ${holder}. Stop that process, or give this one another data directory (MANDATE_DATA_DIR).`,
          { details: { dataDir, pid: holder } },
        );
      }
      // The holder died without cleaning up (e.g. SIGKILL): the cluster recovers from its WAL on open.
      rmSync(lockFile, { force: true });
    }
  }
  throw new StoreLockedError(
    `Could not take the lock "${lockFile}" of the embedded database; remove it if no Mandate process runs.`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
