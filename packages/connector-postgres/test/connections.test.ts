import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { MAX_CONNECTIONS_PER_POOL, PostgresErrorCodes } from '@connector-proxy/connector-postgres';
import { closedPort, eventually, failed, ok, PASSWORD, PG_DATABASE, PG_HOST, PG_PORT, PG_USER, postgresUnavailable, usePostgresFixture } from './postgres-test-database.js';

const unavailable = await postgresUnavailable();

describe('postgres connector: connections, timeouts and secrets', { skip: unavailable, timeout: 60_000 }, () => {
  const { schema, proxies, startProxy } = usePostgresFixture();
  const secrets: string[] = [PASSWORD];
  const run = randomBytes(4).toString('hex');

  /** A connection string with the test password and an application name to find its connections by. */
  function connection(app: string, extra = ''): string {
    const text = schema.keywordConnection(`application_name=${app}-${run} ${extra}`);
    secrets.push(text);
    return text;
  }

  function connectionsOf(app: string): Promise<number> {
    return schema.backends(`${app}-${run}`);
  }

  test('a port where nothing listens is PostgresUnreachable (502, retried by the engine)', async () => {
    const proxy = await startProxy();
    const port = await closedPort();
    const conn = `host=127.0.0.1 port=${port} dbname=${PG_DATABASE} user=${PG_USER} password=${PASSWORD}`;
    secrets.push(conn);
    const answer = await proxy.call('SelectValues', { database_connection_str: conn, table_name: 't', schema: {} });
    failed(answer, PostgresErrorCodes.unreachable, 502);
    assert.match(answer.envelope.error?.message ?? '', /^Selecting from table "t" failed: the server refused the connection/);
    assert.ok(!answer.text.includes(String(port)), 'the port of the connection string is not echoed');
  });

  test('a server that accepts but never answers is PostgresTimeout after the connect timeout', async () => {
    const proxy = await startProxy({ CONNECTOR_PROXY_POSTGRES_CONNECT_TIMEOUT_MS: '300' });
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const conn = `postgresql://${PG_USER}:${PASSWORD}@127.0.0.1:${port}/${PG_DATABASE}`;
      secrets.push(conn);
      const started = Date.now();
      const answer = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } });
      failed(answer, PostgresErrorCodes.timeout, 504);
      assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('a database that does not exist is PostgresDatabaseNotFound (404), without naming it', async () => {
    const proxy = await startProxy();
    const missing = `cp_no_such_db_${run}`;
    const conn = `host=${PG_HOST} port=${PG_PORT} dbname=${missing} user=${PG_USER} password=${PASSWORD}`;
    secrets.push(conn);
    const answer = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } });
    failed(answer, PostgresErrorCodes.databaseNotFound, 404);
    assert.equal(answer.body.sqlstate, '3D000');
    assert.ok(!answer.text.includes(missing));
  });

  test('a statement running past the statement timeout is PostgresTimeout (504)', async () => {
    const proxy = await startProxy({ CONNECTOR_PROXY_POSTGRES_STATEMENT_TIMEOUT_MS: '300' });
    const started = Date.now();
    const answer = await proxy.call('DoSQL', { database_connection_str: connection('statement-timeout'), schema: { sql: 'SELECT pg_sleep(5)' } });
    failed(answer, PostgresErrorCodes.timeout, 504);
    assert.equal(answer.body.sqlstate, '57014');
    assert.match(answer.envelope.error?.message ?? '', /statement timeout.*CONNECTOR_PROXY_POSTGRES_STATEMENT_TIMEOUT_MS/);
    assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`);
    // the connection survived its cancelled statement and serves the next call
    ok(await proxy.call('DoSQL', { database_connection_str: connection('statement-timeout'), schema: { sql: 'SELECT 1' } }));
  });

  test("calls cut off by the proxy's deadline give their connections back at once", async () => {
    const proxy = await startProxy({ CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '400', CONNECTOR_PROXY_POSTGRES_STATEMENT_TIMEOUT_MS: '3000' });
    const conn = connection('deadline');
    const stuck = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS_PER_POOL }, () => proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT pg_sleep(10)' } })),
    );
    for (const answer of stuck) failed(answer, 'command_timeout', 504);
    // Had the pool's five connections stayed with their sleeping statements, this would wait for them.
    const started = Date.now();
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } }));
    assert.ok(Date.now() - started < 350, `waited ${Date.now() - started} ms for a connection`);
  });

  test('the server dropping connections, busy or idle, fails only the call using one', async () => {
    const proxy = await startProxy();
    const conn = connection('dropped');
    const busy = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT pg_terminate_backend(pg_backend_pid())' } });
    failed(busy, PostgresErrorCodes.postgresError, 502);
    assert.equal(busy.body.sqlstate, '57P01'); // admin_shutdown: worth a retry
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } }));
    await schema.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`dropped-${run}`]);
    await eventually(async () => (await connectionsOf('dropped')) === 0);
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } }));
  });

  test('one connection string never holds more than five connections', async () => {
    const proxy = await startProxy();
    const conn = connection('bounded');
    let most = 0;
    let running = true;
    const watching = (async () => {
      while (running) {
        most = Math.max(most, await connectionsOf('bounded'));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT pg_sleep(0.3)' } })),
    );
    running = false;
    await watching;
    for (const answer of answers) ok(answer);
    assert.equal(most, MAX_CONNECTIONS_PER_POOL);
  });

  test('beyond the pool limit the least recently used pool is closed, and close ends the rest', async () => {
    const proxy = await startProxy({ CONNECTOR_PROXY_POSTGRES_MAX_POOLS: '2' });
    for (const app of ['lru-a', 'lru-b']) ok(await proxy.call('DoSQL', { database_connection_str: connection(app), schema: { sql: 'SELECT 1' } }));
    assert.equal(await connectionsOf('lru-a'), 1);
    ok(await proxy.call('DoSQL', { database_connection_str: connection('lru-c'), schema: { sql: 'SELECT 1' } }));
    await eventually(async () => (await connectionsOf('lru-a')) === 0);
    assert.equal(await connectionsOf('lru-b'), 1);
    assert.equal(await connectionsOf('lru-c'), 1);
    await proxy.close();
    await eventually(async () => (await connectionsOf('lru-b')) + (await connectionsOf('lru-c')) === 0);
  });

  test("a server asking for a password the string lacks gets none, not even the proxy's PGPASSWORD", async () => {
    const proxy = await startProxy();
    const received: Buffer[] = [];
    const sockets: Socket[] = [];
    // Just enough of a PostgreSQL server to ask for a clear-text password after the startup message.
    const asking = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])));
      socket.on('data', (chunk) => void received.push(chunk));
    });
    await new Promise<void>((resolve) => asking.listen(0, '127.0.0.1', resolve));
    const saved = process.env.PGPASSWORD;
    process.env.PGPASSWORD = `proxy-own-${run}`;
    try {
      const { port } = asking.address() as { port: number };
      const answer = await proxy.call('DoSQL', { database_connection_str: `host=127.0.0.1 port=${port} user=someone`, schema: { sql: 'SELECT 1' } });
      failed(answer, PostgresErrorCodes.authenticationFailed, 401);
      assert.match(answer.envelope.error?.message ?? '', /asks for a password and database_connection_str has none/);
      assert.ok(!Buffer.concat(received).toString('latin1').includes(`proxy-own-${run}`), 'the proxy sent its own PGPASSWORD');
      // and the proxy hung up instead of leaving the connection to the server
      await eventually(async () => sockets.length === 1 && sockets.every((socket) => socket.closed), 2000);
    } finally {
      if (saved === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = saved;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => asking.close(resolve));
    }
  });

  test("hosts the proxy's egress policy denies are refused, by address and by what a name resolves to", async () => {
    const byAddress = await startProxy({ CONNECTOR_PROXY_EGRESS_DENY: PG_HOST });
    failed(await byAddress.call('DoSQL', { database_connection_str: connection('egress'), schema: { sql: 'SELECT 1' } }), 'EgressDenied', 403);
    const byName = await startProxy({ CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8,::1' });
    const conn = `postgresql://${PG_USER}:${PASSWORD}@localhost:${PG_PORT}/${PG_DATABASE}`;
    secrets.push(conn);
    failed(await byName.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } }), 'EgressDenied', 403);
    assert.equal(await connectionsOf('egress'), 0);
  });

  test('rows beyond CONNECTOR_PROXY_MAX_RESPONSE_BYTES are cut off with PostgresResultTooLarge', async () => {
    const proxy = await startProxy({ CONNECTOR_PROXY_MAX_RESPONSE_BYTES: '100000' });
    const conn = connection('too-large');
    const small = ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: "SELECT repeat('x', 100) AS s FROM generate_series(1, 100)" } }));
    assert.equal(small.row_count, 100);
    const answer = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: "SELECT repeat('x', 1000) AS s FROM generate_series(1, 100000)" } });
    failed(answer, PostgresErrorCodes.resultTooLarge, 413);
    assert.match(answer.envelope.error?.message ?? '', /more than the 100000 bytes this proxy reads/);
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } }));
  });

  test('a connection string that cannot be read is a 400 that quotes none of it', async () => {
    const proxy = await startProxy();
    const cases: [string, RegExp][] = [
      [`host=${PG_HOST} user=${PG_USER} password='${PASSWORD} never closed`, /quoted value without its closing quote/],
      [`host=${PG_HOST} user=${PG_USER} password=${PASSWORD} sslkey=/etc/ssl/private/key.pem`, /keyword this connector does not support/],
      [`host=${PG_HOST} password=${PASSWORD}`, /names no user/],
      [`host=/var/run/postgresql user=${PG_USER} password=${PASSWORD}`, /Unix-domain socket/],
      [`host=${PG_HOST} user=${PG_USER} password ${PASSWORD}`, /neither a postgresql:\/\/ URI nor keyword=value pairs/],
      [`postgresql://${PG_USER}:${PASSWORD}@${PG_HOST}:99999/${PG_DATABASE}`, /not a valid postgresql:\/\/ URI/],
      [`postgresql://${PG_USER}:${PASSWORD}%zz@${PG_HOST}/${PG_DATABASE}`, /malformed %-escape/],
      [`host=${PG_HOST} user=${PG_USER} password=${PASSWORD} sslmode=sometimes`, /sslmode that is not one of/],
    ];
    for (const [conn, reason] of cases) {
      secrets.push(conn);
      const answer = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT 1' } });
      failed(answer, 'invalid_parameters', undefined, 400);
      assert.match(answer.envelope.error?.message ?? '', reason);
      assert.ok(!answer.text.includes(PASSWORD) && !answer.text.includes('/etc/ssl'), answer.text);
    }
  });

  test('no answer or log line of any of these calls holds a password or a connection string', () => {
    for (const proxy of proxies) proxy.assertNothingLeaked(secrets);
  });
});
