import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import pg from 'pg';
import { MAX_CONNECTIONS_PER_POOL, PostgresErrorCodes } from '@connector-proxy/connector-postgres';
import { eventually, failed, ok, PG_DATABASE, PG_HOST, PG_PORT, PG_USER, postgresUnavailable, usePostgresFixture } from './postgres-test-database.js';

const unavailable = await postgresUnavailable();

/** Sleeps past any deadline of these tests, with the statement timeout that would end it turned off. */
const SLEEP_UNBOUNDED = 'SET statement_timeout = 0; SELECT pg_sleep(25)';

/**
 * A statement must not outlive its call: when the proxy stops waiting (its deadline), the server
 * stops running it, and the pool's bound holds for the server's backends, not only for the
 * proxy's count of connections.
 */
describe('postgres connector: statements end with their calls', { skip: unavailable, timeout: 60_000 }, () => {
  const run = randomBytes(4).toString('hex');
  const applications: string[] = [];
  const { schema, startProxy } = usePostgresFixture(undefined, async () => {
    for (const application of applications) await schema.terminate(application);
  });

  /** A connection string whose backends carry their own application name. */
  function connection(app: string): { conn: string; application: string } {
    const application = `${app}-${run}`;
    applications.push(application);
    return { conn: schema.keywordConnection(`application_name=${application}`), application };
  }

  /** The most backends `application` had at once while `work` ran, sampled every 10 ms. */
  async function mostBackendsDuring(application: string, work: () => Promise<void>): Promise<number> {
    let most = 0;
    let running = true;
    const watching = (async () => {
      while (running) {
        most = Math.max(most, await schema.backends(application));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      await work();
    } finally {
      running = false;
      await watching;
    }
    return most;
  }

  test('DoSQL cut off by the deadline is cancelled on the server, and the pool never has more than five backends', async (t) => {
    const proxy = await startProxy({ CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '400' });
    const { conn, application } = connection('sleep');
    const most = await mostBackendsDuring(application, async () => {
      // Three rounds of a full pool: without the cancel each round's backends kept sleeping, and
      // the next round opened five more beside them.
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(
          Array.from({ length: MAX_CONNECTIONS_PER_POOL }, () => proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: SLEEP_UNBOUNDED } })),
        );
        for (const answer of answers) failed(answer, 'command_timeout', 504);
      }
      await eventually(async () => (await schema.backends(application, 'active')) === 0);
    });
    t.diagnostic(`most backends at once: ${most}`);
    assert.ok(most <= MAX_CONNECTIONS_PER_POOL, `${most} backends at once for a pool of ${MAX_CONNECTIONS_PER_POOL}`);
    // The cancelled connections were reset and serve the next call; the session's SET did not survive.
    const next = ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SHOW statement_timeout' } }));
    assert.notDeepEqual(next.rows, [{ statement_timeout: '0' }]);
    assert.ok((await schema.backends(application)) <= MAX_CONNECTIONS_PER_POOL);
  });

  test('a table command cut off while it waits for a lock is cancelled on the server too', async () => {
    const proxy = await startProxy({ CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '400' });
    const { conn, application } = connection('locked');
    await schema.query(`CREATE TABLE ${schema.name}.locked (id int)`);
    const holder = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: PG_DATABASE });
    await holder.connect();
    try {
      await holder.query(`BEGIN; LOCK TABLE ${schema.name}.locked IN ACCESS EXCLUSIVE MODE`);
      const answers = await Promise.all(
        Array.from({ length: 3 }, () => proxy.call('SelectValues', { database_connection_str: conn, table_name: 'locked', schema: {} })),
      );
      for (const answer of answers) failed(answer, 'command_timeout', 504);
      await eventually(async () => (await schema.backends(application, 'active')) === 0);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    assert.deepEqual(ok(await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'locked', schema: {} })).rows, []);
  });

  test('when the cancel request cannot reach the server, the connection is closed after the connect timeout and the pool goes on', async () => {
    // A TCP relay to PostgreSQL that, once told to, refuses new connections: the cancel request's among them.
    let refusing = false;
    const sockets = new Set<Socket>();
    const relay = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      if (refusing) {
        socket.destroy();
        return;
      }
      const upstream = connect(PG_PORT, PG_HOST);
      sockets.add(upstream);
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const application = `unreachable-cancel-${run}`;
    applications.push(application);
    try {
      const { port } = relay.address() as { port: number };
      const conn = `host=127.0.0.1 port=${port} dbname=${PG_DATABASE} user=${PG_USER} application_name=${application} options='-c search_path=${schema.name}'`;
      const proxy = await startProxy({ CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '400', CONNECTOR_PROXY_POSTGRES_CONNECT_TIMEOUT_MS: '300' });
      const fullPool = (sql: string) => Promise.all(Array.from({ length: MAX_CONNECTIONS_PER_POOL }, () => proxy.call('DoSQL', { database_connection_str: conn, schema: { sql } })));
      // Five open connections first, then no new connection gets through the relay.
      for (const answer of await fullPool('SELECT pg_sleep(0.1)')) ok(answer);
      refusing = true;
      for (const answer of await fullPool(SLEEP_UNBOUNDED)) failed(answer, 'command_timeout', 504);
      const closed = () => proxy.transcript.filter((line) => line.includes('could not be cancelled in time')).length;
      await eventually(async () => closed() === MAX_CONNECTIONS_PER_POOL);
      refusing = false;
      // Had the five connections stayed out of the pool waiting for their statements, this would time out.
      ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } }));
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    }
  });

  test('COPY FROM STDIN and COPY TO STDOUT are refused as such, not reported as a timeout', async () => {
    const proxy = await startProxy();
    const { conn } = connection('copy');
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'CREATE TABLE copied (id int, name text)' } }));
    for (const sql of ['COPY copied FROM STDIN', 'COPY copied (id, name) FROM stdin WITH (FORMAT csv)', 'COPY copied TO STDOUT', 'COPY (SELECT * FROM generate_series(1, 1000000)) TO STDOUT']) {
      const answer = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql } });
      failed(answer, PostgresErrorCodes.copyNotSupported, 400);
      assert.match(answer.envelope.error?.message ?? '', /COPY \.\.\. FROM STDIN and COPY \.\.\. TO STDOUT are not supported/, answer.text);
    }
    // The connection that was asked to copy is usable again.
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: "INSERT INTO copied VALUES (1, 'a')" } }));
    assert.deepEqual(ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT count(*) AS n FROM copied' } })).rows, [{ n: 1 }]);
  });
});
