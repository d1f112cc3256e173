import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before } from 'node:test';
import pg from 'pg';
import type { Connector } from '@connector-proxy/sdk';
import { startProxy } from '@connector-proxy/server';
import { pollUntil } from '@connector-proxy/server/testing';
import postgres from '@connector-proxy/connector-postgres';

/**
 * The machine's PostgreSQL (trust authentication on 127.0.0.1), a schema of its own per test
 * file, and a proxy serving only the postgres connector whose every answer and log line is kept
 * so that tests can look for leaked secrets.
 */
export const PG_HOST = process.env.CONNECTOR_PROXY_TEST_PG_HOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.CONNECTOR_PROXY_TEST_PG_PORT ?? 5432);
export const PG_USER = process.env.CONNECTOR_PROXY_TEST_PG_USER ?? 'postgres';
export const PG_DATABASE = process.env.CONNECTOR_PROXY_TEST_PG_DATABASE ?? 'test';

/** Trust authentication ignores passwords, so a made-up one shows whether it ever leaks. */
export const PASSWORD = `s3cr3t-${randomBytes(6).toString('hex')}`;

/** Why PostgreSQL cannot be used, or `undefined` when it can. Fails instead of skipping on CI. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: PG_DATABASE, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const reason = `PostgreSQL at ${PG_HOST}:${PG_PORT} (database ${PG_DATABASE}, user ${PG_USER}) is not reachable: ${String(error)}`;
    if (process.env.CI === 'true') throw new Error(reason);
    console.log(`skipping the postgres connector tests: ${reason}`);
    return reason;
  } finally {
    await client.end().catch(() => undefined); // a client that never connected has nothing to end
  }
}

/** A uniquely named schema, made and dropped with a direct connection (not through the proxy). */
export class TestSchema {
  readonly name = `cp_test_${randomBytes(5).toString('hex')}`;
  readonly #client = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: PG_DATABASE });

  async create(): Promise<void> {
    await this.#client.connect();
    await this.#client.query(`CREATE SCHEMA ${this.name}`);
  }

  async drop(): Promise<void> {
    await this.#client.query(`DROP SCHEMA IF EXISTS ${this.name} CASCADE`);
    await this.#client.end();
  }

  /** Runs SQL directly, to arrange or to check what the proxy did. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]> {
    return (await this.#client.query<R>(text, values)).rows;
  }

  /**
   * How many server processes (backends) have `applicationName`, in any state or only in `state`
   * (`active`: running a statement).
   */
  async backends(applicationName: string, state?: 'active'): Promise<number> {
    const rows = await this.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND ($2::text IS NULL OR state = $2)',
      [applicationName, state ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  /** Ends every backend of `applicationName`: a test's cleanup, whatever the proxy left running. */
  async terminate(applicationName: string): Promise<void> {
    await this.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  }

  /** The exact names of the tables in this schema. */
  async tables(): Promise<string[]> {
    const rows = await this.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [this.name]);
    return rows.map((row) => row.tablename);
  }

  /** libpq keyword form; unqualified table names resolve in this schema (search_path). */
  keywordConnection(extra = ''): string {
    return `host=${PG_HOST} port=${PG_PORT} dbname=${PG_DATABASE} user=${PG_USER} password='${PASSWORD}' options='-c search_path=${this.name}' ${extra}`.trim();
  }

  /** URI form of the same. */
  uriConnection(query: Record<string, string> = {}): string {
    const params = new URLSearchParams({ options: `-c search_path=${this.name}`, ...query });
    return `postgresql://${PG_USER}:${encodeURIComponent(PASSWORD)}@${PG_HOST}:${PG_PORT}/${PG_DATABASE}?${params}`;
  }
}

export interface Envelope {
  command_response: { body: Record<string, unknown>; http_status?: number };
  error: { error_code: string; message: string } | null;
  spiff__logs: string[];
}

export interface Answer {
  status: number;
  envelope: Envelope;
  body: Record<string, unknown>;
  text: string;
}

type RunningProxy = Awaited<ReturnType<typeof startProxy>>;

/**
 * A proxy with only the postgres connector (or another one built on it, such as postgres_v2);
 * every answer and log line lands in `transcript`.
 */
export class PostgresProxy {
  readonly transcript: string[] = [];
  readonly #connector: Connector<unknown>;
  #proxy: RunningProxy | undefined;

  constructor(connector: Connector<unknown> = postgres) {
    this.#connector = connector;
  }

  async start(env: Record<string, string> = {}): Promise<this> {
    this.#proxy = await startProxy({
      connectors: [this.#connector],
      env: { CONNECTOR_PROXY_LOG_LEVEL: 'debug', ...env },
      logStream: { write: (line: string) => void this.transcript.push(line) },
    });
    return this;
  }

  /** Closes the proxy once; later calls do nothing. */
  async close(): Promise<void> {
    const proxy = this.#proxy;
    this.#proxy = undefined;
    await proxy?.close();
  }

  get url(): string {
    assert.ok(this.#proxy, 'the proxy is not running');
    return this.#proxy.url;
  }

  async call(command: string, params: Record<string, unknown>): Promise<Answer> {
    const response = await fetch(`${this.url}/v1/do/${this.#connector.name}/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, spiff__task_data: { note: 'not a parameter' }, spiff__task_id: 't1' }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    this.transcript.push(text);
    const envelope = JSON.parse(text) as Envelope;
    return { status: response.status, envelope, body: envelope.command_response.body, text };
  }

  /** Asserts that no answer or log line so far holds any of `secrets`. */
  assertNothingLeaked(secrets: readonly string[]): void {
    assert.ok(this.transcript.length > 0, 'nothing was recorded');
    for (const line of this.transcript) {
      for (const secret of secrets) assert.ok(!line.includes(secret), `a secret leaked into: ${line.slice(0, 300)}`);
    }
  }
}

/** A test schema and the proxies a `describe` starts, made before its tests and ended after them. */
export interface PostgresFixture {
  readonly schema: TestSchema;
  /** Every proxy `startProxy` has started so far. */
  readonly proxies: readonly PostgresProxy[];
  /** Starts one more proxy with `env`; it is closed after the tests, before the schema is dropped. */
  startProxy(env?: Record<string, string>): Promise<PostgresProxy>;
}

/**
 * Registers, in the calling `describe`, the schema's creation before its tests and, after them,
 * the closing of every proxy it started, then `cleanup` (which may still use the schema), then
 * the schema's drop, even when a step before failed.
 */
export function usePostgresFixture(connector: Connector<unknown> = postgres, cleanup?: () => Promise<void>): PostgresFixture {
  const schema = new TestSchema();
  const proxies: PostgresProxy[] = [];
  before(() => schema.create());
  after(async () => {
    try {
      await Promise.all(proxies.map((proxy) => proxy.close()));
      await cleanup?.();
    } finally {
      await schema.drop();
    }
  });
  return {
    schema,
    proxies,
    async startProxy(env = {}) {
      const proxy = new PostgresProxy(connector);
      proxies.push(proxy);
      return proxy.start(env);
    },
  };
}

/**
 * {@link usePostgresFixture} with one proxy of default settings, started before the tests, and
 * a connection string whose unqualified names resolve in the schema.
 */
export function usePostgresProxy(connector: Connector<unknown> = postgres): PostgresFixture & { readonly proxy: PostgresProxy; readonly conn: string } {
  const proxy = new PostgresProxy(connector);
  const fixture = usePostgresFixture(connector, () => proxy.close());
  before(() => proxy.start());
  return { ...fixture, proxy, conn: fixture.schema.keywordConnection() };
}

/** Asserts a successful call and answers its body. */
export function ok(answer: Answer): Record<string, unknown> {
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.envelope.error, null, answer.text);
  return answer.body;
}

/** Asserts a failure the command reported: the proxy's status, the code, the third party's status. */
export function failed(answer: Answer, code: string, httpStatus: number | undefined, status = 200): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.envelope.error?.error_code, code, answer.text);
  assert.equal(answer.envelope.command_response.http_status, httpStatus, answer.text);
}

/** Waits until `check` holds, for at most `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  await pollUntil(async () => ((await check()) ? true : undefined), () => `still not true after ${ms} ms`, { timeoutMs: ms, intervalMs: 25 });
}

/** A TCP port on 127.0.0.1 where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
