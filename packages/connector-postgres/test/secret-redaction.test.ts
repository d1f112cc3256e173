import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresErrorCodes } from '@connector-proxy/connector-postgres';
import { closedPort, failed, PG_DATABASE, PG_USER, PostgresProxy } from './postgres-test-database.js';

describe('postgres connector: known secrets are scrubbed from messages as whole values', () => {
  const proxy = new PostgresProxy();

  after(async () => {
    await proxy.close();
  });

  test('a one-letter password is not cut out of the words of a message', async () => {
    await proxy.start();
    const port = await closedPort();
    const answer = await proxy.call('DoSQL', {
      database_connection_str: `host=127.0.0.1 port=${port} dbname=${PG_DATABASE} user=${PG_USER} password=p`,
      schema: { sql: 'SELECT 1' },
    });
    failed(answer, PostgresErrorCodes.unreachable, 502);
    assert.equal(answer.envelope.error?.message, 'Running the SQL statement failed: the server refused the connection (is PostgreSQL listening at that host and port?)');
  });
});
