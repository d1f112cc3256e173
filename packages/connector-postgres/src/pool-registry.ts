import { createHash } from 'node:crypto';
import pg from 'pg';
import type { CommandLogger, EgressPolicy, SetupContext } from '@connector-proxy/sdk';
import { sendCancelRequest, type BackendKey } from './cancel-request.js';
import { parseConnectionString } from './connection-string.js';
import { postgresPasswordMissing } from './errors.js';
import { policySocket } from './policy-socket.js';
import { readPoolSettings } from './postgres-settings.js';
import { resultTypes } from './result-types.js';

/** Limits every pool shares, read once at start (see `postgres-settings.ts`). */
export interface PoolSettings {
  /** PostgreSQL's `statement_timeout` for every statement. */
  statementTimeoutMs: number;
  /** Bound for opening a connection, and for waiting for a free one. */
  connectTimeoutMs: number;
  /** An unused connection is closed after this long. */
  idleTimeoutMs: number;
  /** Pools kept open at most; the least recently used one is closed beyond this. */
  maxPools: number;
  /** The most bytes of rows one statement may bring (`CONNECTOR_PROXY_MAX_RESPONSE_BYTES`). */
  maxResultBytes: number;
}

/** A pool and what must never be shown of the connection string it was made from. */
export interface PooledDatabase {
  readonly pool: pg.Pool;
  /** Strings to scrub from any message: the password, when the string has one. */
  readonly secrets: readonly string[];
  /**
   * Cancels what the backend `key` runs (see `sendCancelRequest`), trying for at most the connect
   * timeout; `true` once the server took the request.
   */
  cancel(key: BackendKey): Promise<boolean>;
  /** How long a cancelled statement may take to end before its connection is closed instead. */
  readonly cancelGraceMs: number;
}

/** Connections per pool: enough for a few concurrent tasks, few enough to spare the server. */
export const MAX_CONNECTIONS_PER_POOL = 5;

/** A connector's setup: its pool registry, with the limits read from the environment. */
export function openPools(context: SetupContext): PoolRegistry {
  return new PoolRegistry(readPoolSettings(context), context.settings.egress, context.log);
}

/**
 * One bounded pool of connections per connection string, so that consecutive calls reuse an
 * open, authenticated connection. Pools are keyed by a digest of the string, never the string.
 */
export class PoolRegistry {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #databases = new Map<string, PooledDatabase>();
  readonly #settings: PoolSettings;
  readonly #egress: EgressPolicy;
  readonly #log: CommandLogger;

  constructor(settings: PoolSettings, egress: EgressPolicy, log: CommandLogger) {
    this.#settings = settings;
    this.#egress = egress;
    this.#log = log;
  }

  /** The most bytes of rows one statement may bring. */
  get maxResultBytes(): number {
    return this.#settings.maxResultBytes;
  }

  /**
   * The pool for `connectionString`, made on first use. Throws `invalid_parameters` for a string
   * it cannot read, `EgressDenied` for a host the proxy's egress policy forbids.
   */
  get(connectionString: string): PooledDatabase {
    const key = createHash('sha256').update(connectionString).digest('base64');
    const known = this.#databases.get(key);
    if (known) {
      this.#databases.delete(key);
      this.#databases.set(key, known);
      return known;
    }
    const database = this.#open(connectionString);
    this.#databases.set(key, database);
    if (this.#databases.size > this.#settings.maxPools) this.#evictLeastRecentlyUsed();
    return database;
  }

  /** Closes every pool; connections in use close as soon as their statement ends. */
  async close(): Promise<void> {
    const pools = [...this.#databases.values()].map((database) => database.pool);
    this.#databases.clear();
    await Promise.all(pools.map((pool) => pool.end()));
  }

  #open(connectionString: string): PooledDatabase {
    const target = parseConnectionString(connectionString);
    this.#egress.assertHostAllowed(target.host);
    const { password } = target;
    const { lookup } = this.#egress;
    const connectTimeoutMs = Math.min(target.connectTimeoutMs ?? Infinity, this.#settings.connectTimeoutMs);
    const pool = new pg.Pool({
      // Names resolve through the egress policy, so the address checked is the one connected to.
      stream: () => policySocket(lookup),
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      // A function, so the driver asks nothing else (PGPASSWORD, ~/.pgpass) when the string has none.
      // node-postgres calls it as a method of the connecting client.
      password: function (this: pg.Client) {
        if (password !== undefined) return password;
        // node-postgres leaves a connection that fails here open: close it, don't wait for the server.
        this.connection.stream.destroy();
        throw postgresPasswordMissing();
      },
      ssl: target.ssl,
      application_name: target.application_name,
      options: target.options,
      statement_timeout: this.#settings.statementTimeoutMs,
      connectionTimeoutMillis: connectTimeoutMs,
      idleTimeoutMillis: this.#settings.idleTimeoutMs,
      max: MAX_CONNECTIONS_PER_POOL,
      types: resultTypes,
    });
    // Without a listener, an idle connection that the server closes would crash the process.
    pool.on('error', (error) => {
      this.#log.warn('An idle PostgreSQL connection failed and was closed', { code: (error as { code?: unknown }).code });
    });
    const cancelTarget = { host: target.host, port: target.port, lookup };
    return {
      pool,
      secrets: password ? [password] : [],
      cancel: (key) => sendCancelRequest(cancelTarget, key, connectTimeoutMs),
      cancelGraceMs: connectTimeoutMs,
    };
  }

  #evictLeastRecentlyUsed(): void {
    const [oldestKey, oldest] = this.#databases.entries().next().value ?? [];
    if (oldestKey === undefined || oldest === undefined) return;
    this.#databases.delete(oldestKey);
    // Statements running on the evicted pool finish; its connections close when released.
    oldest.pool.end().catch((error: unknown) => {
      this.#log.warn('Closing an unused PostgreSQL pool failed', { code: (error as { code?: unknown }).code });
    });
  }
}

