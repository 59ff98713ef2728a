import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { EmbeddedWireServer } from './EmbeddedWireServer.ts';
import { StoreLockedError, StoreUnavailableError } from './errors.ts';
import { lockDownTree } from './lockDownTree.ts';

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
 * directory and served over the PostgreSQL wire protocol, so the store reaches it with the same
 * MikroORM PostgreSQL driver, schema and queries as a real server.
 *
 * Nothing else on the machine can reach it: PGlite has no authentication and every client is the
 * superuser, so it is served on a Unix socket inside a fresh 0700 directory (never on a TCP port,
 * which any local process could connect to), and the cluster's files are created 0600 under 0700
 * directories (umask 077 from the start; an older, looser cluster is tightened on open).
 *
 * A lock file beside the data directory keeps a second process from opening the same cluster
 * (two PGlite instances on one directory corrupt it); a lock left by a dead process is taken over.
 */
export class EmbeddedPostgres {
  readonly #db: PGlite;
  readonly #server: EmbeddedWireServer;
  readonly #lockFile: string;
  readonly #socketDir: string;
  readonly #dataDir: string;
  /**
   * `postgresql://` URL of the socket server: the host is the (percent-encoded) 0700 directory
   * holding the Unix socket, which `pg` and MikroORM both understand.
   */
  readonly url: string;

  private constructor({
    db,
    server,
    dataDir,
    socketDir,
  }: {
    db: PGlite;
    server: EmbeddedWireServer;
    dataDir: string;
    socketDir: string;
  }) {
    this.#db = db;
    this.#dataDir = dataDir;
    this.#server = server;
    this.#lockFile = `${dataDir}.lock`;
    this.#socketDir = socketDir;
    this.url = `postgresql://postgres@${encodeURIComponent(socketDir)}/postgres?sslmode=disable`;
  }

  /** The directory (mode 0700) holding the server's Unix socket `.s.PGSQL.5432`. */
  get socketDir(): string {
    return this.#socketDir;
  }

  /** Opens (or creates) the cluster and starts serving it on a Unix socket only this user can reach. */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const dataDir = resolve(options.dataDir);
    // Files the cluster (and the store beside it: key, witness, lock) creates are this user's only.
    process.umask(process.umask() | 0o077);
    mkdirSync(dirname(dataDir), { recursive: true, mode: 0o700 });
    const lockFile = `${dataDir}.lock`;
    takeLock(lockFile, dataDir);
    let db: PGlite | undefined;
    // mkdtemp creates the directory 0700; the path stays short (a socket path has ~100 bytes at most).
    const socketDir = mkdtempSync(join(tmpdir(), 'mandate-pg-'));
    try {
      lockDownTree(dataDir);
      // PGlite starts PostgreSQL with -F (fsync off) unless told otherwise: live money needs fsync on.
      db = await PGlite.create(dataDir, { startParams: DURABLE_START_PARAMS });
      // PostgreSQL's relcache files are written 0644 regardless of the umask: tighten once started.
      lockDownTree(dataDir);
      // One client's exchange (or transaction) at a time: they all share PGlite's one session.
      const server = new EmbeddedWireServer({
        db,
        path: join(socketDir, '.s.PGSQL.5432'),
        maxConnections: options.maxConnections ?? 8,
      });
      await server.start();
      return new EmbeddedPostgres({ db, server, dataDir, socketDir });
    } catch (cause) {
      await db?.close().catch(() => undefined);
      rmSync(lockFile, { force: true });
      rmSync(socketDir, { recursive: true, force: true });
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
    lockDownTree(this.#dataDir);
    rmSync(this.#socketDir, { recursive: true, force: true });
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
