import type pg from 'pg';
import { isCommandError, type CommandContext, type CommandError, type CommandLogger } from '@connector-proxy/sdk';
import type { BackendKey } from './cancel-request.js';
import { postgresCopyNotSupported, postgresResultTooLarge, postgresTimeout } from './errors.js';
import type { PooledDatabase, PoolRegistry } from './pool-registry.js';
import { postgresFailure, type Phase } from './postgres-failure.js';

/** What a command does with a connection. */
export interface ConnectionUse {
  /** `database_connection_str`: which pool. */
  connectionString: string;
  /** What is being done, for messages, e.g. `Selecting from table "orders"`. */
  action: string;
  /** The work may change session state (SET, temporary tables...): reset it before reuse. */
  resetSession?: boolean;
}

/**
 * Runs `work` on a connection from the pool of `use.connectionString` and gives the connection
 * back. Failures become this package's error codes. When the call's signal aborts (deadline,
 * caller gone), the rows grow past the proxy's limit or the SQL starts a COPY with the client, it
 * answers at once: a connection still being opened is handed back when it arrives, and the
 * statement running on one is cancelled on the server (see `Lease.cutOff`).
 */
export async function withConnection<T>(
  ctx: CommandContext<PoolRegistry>,
  use: ConnectionUse,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const database = ctx.config.get(use.connectionString);
  const fail = (error: unknown, phase: Phase): CommandError => postgresFailure(error, { action: use.action, phase, secrets: database.secrets });
  const client = await checkOut(database.pool, ctx.signal, use.action).catch((error: unknown) => {
    throw fail(error, 'connect');
  });
  const resetSession = use.resetSession === true;
  const lease = new Lease(client, database, ctx.config.maxResultBytes, use.action, ctx.log);
  const running = work(client);
  try {
    const result = await untilAborted(running, AbortSignal.any([ctx.signal, lease.stopped]), use.action, () => lease.cutOff(running, resetSession));
    await lease.checkIn(resetSession);
    return result;
  } catch (error) {
    await lease.checkIn(resetSession);
    throw fail(error, 'statement');
  }
}

function checkOut(pool: pg.Pool, signal: AbortSignal, action: string): Promise<pg.PoolClient> {
  const checkingOut = pool.connect();
  return untilAborted(checkingOut, signal, action, () => {
    // Nobody waits for this connection any more: return it to the pool once it is there. If it
    // fails to open instead, that failure is no one's concern: the call already has its answer.
    checkingOut.then((client) => client.release(), () => undefined);
  });
}

/**
 * Settles like `work`, or, as soon as `signal` aborts, runs `onAbort` and rejects with the
 * reason: the proxy's own deadline error or the lease's own, else `PostgresTimeout`.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, action: string, onAbort: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort();
      reject(isCommandError(signal.reason) ? signal.reason : postgresTimeout({ action, reason: 'the call was cancelled before PostgreSQL answered', sqlstate: undefined }));
    };
    if (signal.aborted) {
      abort();
      return;
    }
    signal.addEventListener('abort', abort, { once: true });
    // After an abort `work` still settles (the cancelled statement fails it); `reject` then does nothing.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * A connection while one call holds it. node-postgres' pool stops listening to a connection it
 * lends out, so the lease listens: to failures (an `error` event without a listener would crash
 * the process when the server drops the connection), to rows, to stop a result that grows past
 * the proxy's limit while it arrives, before every row sits in memory, and to the start of a
 * COPY with the client, which a command call cannot feed or read.
 */
class Lease {
  readonly #client: pg.PoolClient;
  readonly #database: PooledDatabase;
  readonly #log: CommandLogger;
  readonly #stop = new AbortController();
  readonly #onError: (error: Error) => void;
  readonly #onRow: (message: { length: number }) => void;
  readonly #onCopy: () => void;
  #returned = false;
  #cutOff = false;

  constructor(client: pg.PoolClient, database: PooledDatabase, maxResultBytes: number, action: string, log: CommandLogger) {
    this.#client = client;
    this.#database = database;
    this.#log = log;
    // The statement in flight fails with this same error, and that failure is the call's answer.
    this.#onError = (error) => log.debug('The PostgreSQL connection failed', { code: (error as { code?: unknown }).code });
    let received = 0;
    this.#onRow = (message) => {
      received += message.length;
      if (received > maxResultBytes) this.#stop.abort(postgresResultTooLarge(action, maxResultBytes));
    };
    // node-postgres answers a COPY FROM STDIN with CopyFail, which the server reports as a
    // cancelled statement (57014: a timeout, to the caller), and reads a COPY TO STDOUT to its end
    // only to drop the data. Neither is what the caller meant: say so, and stop the COPY.
    this.#onCopy = () => this.#stop.abort(postgresCopyNotSupported(action));
    client.on('error', this.#onError);
    client.connection.on('dataRow', this.#onRow);
    client.connection.on('copyInResponse', this.#onCopy);
    client.connection.on('copyOutResponse', this.#onCopy);
  }

  /** Aborted with `PostgresResultTooLarge` when the rows pass the limit, `PostgresCopyNotSupported` on a COPY. */
  get stopped(): AbortSignal {
    return this.#stop.signal;
  }

  /**
   * The call was cut off while `running` ran. Closing the connection would not stop the
   * statement (the server notices a closed client only when it next writes to it) while freeing
   * its pool slot: the pool would open another connection beside a backend still at work. So the
   * statement is cancelled on the server, and the connection stays out of the pool until it has
   * ended; then it is checked in as after any failure. A server that cannot be reached, or a
   * statement that does not end within the connect timeout, gets its connection closed.
   */
  cutOff(running: Promise<unknown>, resetSession: boolean): void {
    if (this.#returned || this.#cutOff) return;
    this.#cutOff = true;
    const ended = running.then(
      () => true,
      () => true,
    );
    const cancelled = this.#database.cancel(backendKey(this.#client));
    const graceMs = this.#database.cancelGraceMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    // Both: the statement ended, and the server took the cancel request (so that it cannot hit
    // the next call's statement on this connection).
    void Promise.race([Promise.all([ended, cancelled]).then(([, sent]) => sent), late]).then(async (settled) => {
      clearTimeout(timer);
      if (settled) {
        this.#log.debug('Cancelled the PostgreSQL statement of a call that ended');
        await this.#checkIn(resetSession);
      } else {
        this.#log.warn('A PostgreSQL statement of a call that ended could not be cancelled in time; its connection is closed');
        this.#return(true);
      }
    });
  }

  /**
   * Hands the connection back, or closes it when it must not serve another call: left inside a
   * transaction (PostgreSQL rolls that back when the connection closes), or with session state
   * that could not be reset. Does nothing once the connection is closed, or cut off (`cutOff`
   * checks it in when its statement has ended).
   */
  async checkIn(resetSession: boolean): Promise<void> {
    if (this.#cutOff) return;
    await this.#checkIn(resetSession);
  }

  async #checkIn(resetSession: boolean): Promise<void> {
    if (this.#returned) return;
    if (this.#client.getTransactionStatus() !== 'I') {
      this.#return(true);
      return;
    }
    if (resetSession) {
      try {
        // Back to the settings the connection started with (statement_timeout included).
        await this.#client.query('DISCARD ALL');
      } catch {
        // Handled by closing the connection: a session that cannot be reset is not reused.
        this.#return(true);
        return;
      }
    }
    this.#return(false);
  }

  #return(close: boolean): void {
    if (this.#returned) return;
    this.#returned = true;
    // The pool listens again from `release` on.
    this.#client.off('error', this.#onError);
    this.#client.connection.off('dataRow', this.#onRow);
    this.#client.connection.off('copyInResponse', this.#onCopy);
    this.#client.connection.off('copyOutResponse', this.#onCopy);
    this.#client.release(close);
  }
}

/** The backend key the server sent when the connection opened (node-postgres keeps it, untyped). */
function backendKey(client: pg.PoolClient): BackendKey {
  const { processID, secretKey } = client as unknown as BackendKey;
  return { processID, secretKey };
}
