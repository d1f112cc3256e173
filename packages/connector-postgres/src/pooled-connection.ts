import type pg from 'pg';
import { isCommandError, type CommandContext, type CommandError, type CommandLogger } from '@connector-proxy/sdk';
import { postgresResultTooLarge, postgresTimeout } from './errors.js';
import type { PoolRegistry } from './pool-registry.js';
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
 * caller gone), or the rows grow past the proxy's limit, it stops waiting at once: a connection
 * still being opened is handed back when it arrives, and one running a statement is closed,
 * which ends the statement's transaction.
 */
export async function withConnection<T>(
  ctx: CommandContext<PoolRegistry>,
  use: ConnectionUse,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const { pool, secrets } = ctx.config.get(use.connectionString);
  const fail = (error: unknown, phase: Phase): CommandError => postgresFailure(error, { action: use.action, phase, secrets });
  const client = await checkOut(pool, ctx.signal, use.action).catch((error: unknown) => {
    throw fail(error, 'connect');
  });
  const lease = new Lease(client, ctx.config.maxResultBytes, use.action, ctx.log);
  try {
    const result = await untilAborted(work(client), AbortSignal.any([ctx.signal, lease.tooLarge]), use.action, () => lease.close());
    await lease.checkIn(use.resetSession === true);
    return result;
  } catch (error) {
    await lease.checkIn(use.resetSession === true);
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
 * reason: the proxy's own deadline error or `PostgresResultTooLarge`, else `PostgresTimeout`.
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
    // After an abort `work` still settles (the closed connection fails it); `reject` then does nothing.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * A connection while one call holds it. node-postgres' pool stops listening to a connection it
 * lends out, so the lease listens: to failures (an `error` event without a listener would crash
 * the process when the server drops the connection) and to rows, to stop a result that grows
 * past the proxy's limit while it arrives, before every row sits in memory.
 */
class Lease {
  readonly #client: pg.PoolClient;
  readonly #tooLarge = new AbortController();
  readonly #onError: (error: Error) => void;
  readonly #onRow: (message: { length: number }) => void;
  #returned = false;

  constructor(client: pg.PoolClient, maxResultBytes: number, action: string, log: CommandLogger) {
    this.#client = client;
    // The statement in flight fails with this same error, and that failure is the call's answer.
    this.#onError = (error) => log.debug('The PostgreSQL connection failed', { code: (error as { code?: unknown }).code });
    let received = 0;
    this.#onRow = (message) => {
      received += message.length;
      if (received > maxResultBytes) this.#tooLarge.abort(postgresResultTooLarge(action, maxResultBytes));
    };
    client.on('error', this.#onError);
    client.connection.on('dataRow', this.#onRow);
  }

  /** Aborted with `PostgresResultTooLarge` when the rows pass the limit. */
  get tooLarge(): AbortSignal {
    return this.#tooLarge.signal;
  }

  /** Closes the connection at once: the call was cut off while a statement ran. */
  close(): void {
    this.#return(true);
  }

  /**
   * Hands the connection back, or closes it when it must not serve another call: left inside a
   * transaction (PostgreSQL rolls that back when the connection closes), or with session state
   * that could not be reset. Does nothing once the connection is closed.
   */
  async checkIn(resetSession: boolean): Promise<void> {
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
    this.#client.release(close);
  }
}
