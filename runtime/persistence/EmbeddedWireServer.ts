import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const TERMINATE = 0x58; // 'X'
/** Sync: ends an extended-protocol exchange a vanished client left open. */
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);

/** Options of {@link EmbeddedWireServer}. */
export interface EmbeddedWireServerOptions {
  db: PGlite;
  /** Path of the Unix socket to listen on. */
  path: string;
  /** Concurrent connections accepted; more are closed on arrival. */
  maxConnections: number;
}

/** One client connection: its unparsed bytes and the complete messages not yet given to PGlite. */
interface Session {
  socket: Socket;
  buffer: Buffer;
  started: boolean;
  pending: Buffer[];
  closed: boolean;
}

/**
 * Serves one PGlite instance over the PostgreSQL wire protocol to several clients on a Unix socket.
 *
 * PGlite is a single PostgreSQL session, so every client shares its unnamed statement, portals and
 * transaction. One client at a time owns the session: it keeps it from its first message until
 * PGlite answers ReadyForQuery with status idle (`Z` … `I`), i.e. through a whole
 * Parse/Bind/Execute/Sync exchange or simple Query, and through a whole BEGIN … COMMIT. Other
 * clients' messages wait, first come first served. The cost: a client that holds a transaction
 * open (or is slow sending the rest of an exchange) stalls every other client until it finishes;
 * PGlite runs one statement at a time anyway, so nothing that could run in parallel is lost.
 */
export class EmbeddedWireServer {
  readonly #db: PGlite;
  readonly #path: string;
  readonly #maxConnections: number;
  readonly #sessions = new Set<Session>();
  /** Sessions with messages waiting, in arrival order (never the owner). */
  readonly #ready: Session[] = [];
  /** The session PGlite is in the middle of an exchange or transaction with. */
  #owner: Session | undefined;
  #pumping: Promise<void> | undefined;
  #server: Server | undefined;

  constructor(options: EmbeddedWireServerOptions) {
    this.#db = options.db;
    this.#path = options.path;
    this.#maxConnections = options.maxConnections;
  }

  /** Starts listening on the socket path. */
  async start(): Promise<void> {
    await this.#db.waitReady;
    const server = createServer((socket) => this.#accept(socket));
    server.maxConnections = this.#maxConnections;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
  }

  /** Closes every connection, rolls back a transaction left open, and stops listening. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const session of this.#sessions) session.socket.destroy();
    await this.#pumping;
    await this.#releaseOwner();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const session: Session = { socket, buffer: Buffer.alloc(0), started: false, pending: [], closed: false };
    this.#sessions.add(session);
    socket.on('data', (chunk: Buffer) => this.#receive(session, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#close(session));
  }

  #receive(session: Session, chunk: Buffer): void {
    session.buffer = session.buffer.length === 0 ? chunk : Buffer.concat([session.buffer, chunk]);
    for (;;) {
      const b = session.buffer;
      // The startup packet (and SSL/GSS/cancel requests) have no type byte: length, then a code.
      const headerLength = session.started ? 5 : 8;
      if (b.length < headerLength) break;
      const length = session.started ? 1 + b.readInt32BE(1) : b.readInt32BE(0);
      if (length < headerLength - 1 || length > 1 << 30) {
        session.socket.destroy();
        return;
      }
      if (b.length < length) break;
      const message = b.subarray(0, length);
      session.buffer = b.subarray(length);
      if (!session.started) {
        const code = message.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          session.socket.write('N');
          continue;
        }
        // PGlite has no backend to signal: a cancel request is dropped, as the protocol allows.
        if (code === CANCEL_REQUEST) return void session.socket.end();
        session.started = true;
      } else if (message[0] === TERMINATE) {
        // Never handed to PGlite: it would end the one session every client shares.
        return void session.socket.end();
      }
      session.pending.push(message);
    }
    if (session.pending.length > 0 && session !== this.#owner && !this.#ready.includes(session)) {
      this.#ready.push(session);
    }
    this.#pump();
  }

  #close(session: Session): void {
    session.closed = true;
    this.#sessions.delete(session);
    const i = this.#ready.indexOf(session);
    if (i !== -1) this.#ready.splice(i, 1);
    this.#pump();
  }

  #pump(): void {
    this.#pumping ??= this.#drain().finally(() => {
      this.#pumping = undefined;
    });
  }

  async #drain(): Promise<void> {
    for (;;) {
      const owner = this.#owner;
      if (owner?.closed) {
        await this.#releaseOwner();
        continue;
      }
      // The owner is between messages of its exchange or transaction: everyone else waits for it.
      if (owner !== undefined && owner.pending.length === 0) return;
      const next = owner ?? this.#ready.shift();
      if (next === undefined) return;
      this.#owner = next;
      const messages = Buffer.concat(next.pending.splice(0));
      let idle: boolean;
      try {
        idle = await this.#exchange(next, messages);
      } catch {
        next.socket.destroy();
        next.closed = true;
        continue;
      }
      if (idle) {
        this.#owner = undefined;
        if (next.pending.length > 0 && !next.closed) this.#ready.push(next);
      }
    }
  }

  /** Runs a client's messages in PGlite, streaming the answer back; true when PGlite is left idle. */
  async #exchange(session: Session, messages: Uint8Array): Promise<boolean> {
    let tail: Uint8Array = new Uint8Array(0);
    await this.#db.runExclusive(() =>
      this.#db.execProtocolRawStream(messages, {
        onRawData: (data) => {
          if (!session.closed && session.socket.writable) session.socket.write(Buffer.from(data));
          tail = lastBytes(tail, data, 6);
        },
      }),
    );
    // ReadyForQuery is always the last message of an answer: 'Z', length 5, status ('I' = idle).
    const [type, l0, l1, l2, l3, status] = tail;
    return type === 0x5a && l0 === 0 && l1 === 0 && l2 === 0 && l3 === 5 && status === 0x49;
  }

  /** Ends what a vanished (or stopped) owner left open, so the next client starts clean. */
  async #releaseOwner(): Promise<void> {
    if (this.#owner === undefined) return;
    this.#owner = undefined;
    // Answers are dropped (the client is gone); a streaming call also replaces the last client's
    // output callback, which PGlite would otherwise keep using.
    const discard = { onRawData: () => undefined };
    await this.#db.runExclusive(async () => {
      await this.#db.execProtocolRawStream(SYNC, discard);
      if (this.#db.isInTransaction()) await this.#db.execProtocolRawStream(simpleQuery('ROLLBACK'), discard);
    });
  }
}

function lastBytes(tail: Uint8Array, data: Uint8Array, n: number): Uint8Array {
  if (data.length >= n) return data.slice(data.length - n);
  const joined = new Uint8Array(tail.length + data.length);
  joined.set(tail);
  joined.set(data, tail.length);
  return joined.slice(Math.max(0, joined.length - n));
}

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`);
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51; // 'Q'
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
