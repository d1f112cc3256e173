import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { failed, ok, PASSWORD, PG_DATABASE, PG_PORT, PG_USER, postgresUnavailable, usePostgresFixture } from './postgres-test-database.js';

const unavailable = await postgresUnavailable();

/** The deny list docs/security.md gives as its example of fencing off internal ranges. */
const DOCUMENTED_DENY = '10.0.0.0/8,192.168.0.0/16,127.0.0.0/8';

describe('postgres connector: the unspecified address under the egress policy', { skip: unavailable, timeout: 30_000 }, () => {
  const { schema, startProxy } = usePostgresFixture();
  const application = `cp-egress-${randomBytes(4).toString('hex')}`;

  /** `host=<host>`: the machine's PostgreSQL listens on loopback, which 0.0.0.0 reaches. */
  const connection = (host: string, app: string) =>
    `host=${host} port=${PG_PORT} dbname=${PG_DATABASE} user=${PG_USER} password='${PASSWORD}' application_name=${application}-${app}`;

  test('host=0.0.0.0 reaches the PostgreSQL on loopback when nothing is denied', async () => {
    const proxy = await startProxy();
    const body = ok(await proxy.call('DoSQL', { database_connection_str: connection('0.0.0.0', 'open'), schema: { sql: 'SELECT inet_server_addr()::text AS address' } }));
    assert.match(JSON.stringify(body), /127\.0\.0\.1/, 'the server saw the connection arrive on loopback');
  });

  test('host=0.0.0.0 is EgressDenied (403) when loopback is denied, and no connection is opened', async () => {
    for (const host of ['0.0.0.0', '0', '::']) {
      const proxy = await startProxy({ CONNECTOR_PROXY_EGRESS_DENY: DOCUMENTED_DENY });
      // As a superuser this would read the server's files: pg_read_file is what the policy keeps out of reach.
      const answer = await proxy.call('DoSQL', { database_connection_str: connection(host, 'denied'), schema: { sql: "SELECT pg_read_file('PG_VERSION')" } });
      failed(answer, 'EgressDenied', 403);
      assert.ok(!answer.text.includes('PG_VERSION'), 'nothing of the statement comes back');
      proxy.assertNothingLeaked([PASSWORD]);
    }
    const rows = await schema.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [`${application}-denied`]);
    assert.equal(rows[0]?.n, 0);
  });
});
