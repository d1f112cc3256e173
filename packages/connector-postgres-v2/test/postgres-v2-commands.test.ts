import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MAX_CONNECTIONS_PER_POOL, PostgresErrorCodes } from '@connector-proxy/connector-postgres';
import postgresV2 from '@connector-proxy/connector-postgres-v2';
import { eventually, failed, ok, PASSWORD, postgresUnavailable, usePostgresProxy, type Answer } from '../../connector-postgres/test/postgres-test-database.js';

const unavailable = await postgresUnavailable();

const HOSTILE_TABLE = 'x"; DROP TABLE victim; --';
const HOSTILE_COLUMN = "a\"; DELETE FROM victim; SELECT '";

/**
 * What a script written for connector-postgres-v2 does with an answer: `command_response.body`
 * must be a string, and `json.loads` of it the result.
 */
function parsedBody(answer: Answer): unknown {
  ok(answer);
  const body: unknown = answer.envelope.command_response.body;
  assert.equal(typeof body, 'string', `the body is JSON text: ${answer.text}`);
  return JSON.parse(body as string);
}

describe('postgres_v2 commands through the proxy', { skip: unavailable, timeout: 60_000 }, () => {
  const { schema, proxy, conn, startProxy } = usePostgresProxy(postgresV2);

  test('GET /v1/commands lists the seven postgres_v2 ids with the reference parameters', async () => {
    const listed = (await (await fetch(`${proxy.url}/v1/commands`)).json()) as { id: string; parameters: { id: string; type: string; required: boolean }[] }[];
    const ids = listed.map((command) => command.id).sort();
    const names = ['CreateTableV2', 'DeleteValuesV2', 'DoSQL', 'DropTableV2', 'InsertValuesV2', 'SelectValuesV2', 'UpdateValuesV2'];
    assert.deepEqual(ids, names.map((name) => `postgres_v2/${name}`));
    for (const command of listed) {
      const required = command.parameters.filter((p) => p.required).map((p) => p.id);
      if (command.id === 'postgres_v2/DoSQL') assert.deepEqual(required, ['database_connection_str', 'schema']);
      else if (command.id === 'postgres_v2/DropTableV2') assert.deepEqual(required, ['database_connection_str', 'table_name']);
      else assert.deepEqual(required, ['database_connection_str', 'table_name', 'schema'], command.id);
    }
  });

  test('every command and parameter says in words what it is', () => {
    for (const command of postgresV2.commands) {
      assert.ok(command.description.length > 20, `${command.name} has a description`);
      for (const [name, parameter] of Object.entries(command.parameters.properties)) {
        const description = (parameter as { description?: unknown }).description;
        assert.ok(typeof description === 'string' && description.length > 10, `${command.name}.${name} has a description`);
      }
    }
  });

  test('a table goes through CreateTableV2, InsertValuesV2, SelectValuesV2, UpdateValuesV2, DeleteValuesV2 and DropTableV2', async () => {
    const create = {
      database_connection_str: conn,
      table_name: 'fruit',
      schema: { column_definitions: [{ name: 'id', type: 'integer' }, { name: 'name', type: 'varchar(100)' }, { name: 'qty', type: 'integer' }] },
    };
    assert.deepEqual(parsedBody(await proxy.call('CreateTableV2', create)), { result: 'ok' });
    // CREATE TABLE IF NOT EXISTS, as the reference: a second create is not an error.
    assert.deepEqual(parsedBody(await proxy.call('CreateTableV2', create)), { result: 'ok' });
    assert.deepEqual(await schema.tables(), ['fruit']);

    const inserted = await proxy.call('InsertValuesV2', {
      database_connection_str: conn,
      table_name: 'fruit',
      schema: { columns: ['id', 'name', 'qty'], values: [[1, 'apple', 3], [2, 'pear', 5], [3, 'plum', 1]] },
    });
    assert.deepEqual(parsedBody(inserted), { result: '3 rows affected' });

    const selected = await proxy.call('SelectValuesV2', {
      database_connection_str: conn,
      table_name: 'fruit',
      schema: { columns: ['name', 'qty'], where: [['qty', '>', 2]] },
    });
    const rows = parsedBody(selected) as unknown[][];
    assert.deepEqual([...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0]))), [['apple', 3], ['pear', 5]]);

    const updated = await proxy.call('UpdateValuesV2', {
      database_connection_str: conn,
      table_name: 'fruit',
      schema: { set: { qty: 10 }, where: [['name', '!=', 'plum']] },
    });
    assert.deepEqual(parsedBody(updated), { result: '2 rows affected' });
    assert.deepEqual(await schema.query(`SELECT name FROM ${schema.name}.fruit WHERE qty = 10 ORDER BY name`), [{ name: 'apple' }, { name: 'pear' }]);

    const deleted = await proxy.call('DeleteValuesV2', { database_connection_str: conn, table_name: 'fruit', schema: { where: [['name', '=', 'apple']] } });
    assert.deepEqual(parsedBody(deleted), { result: '1 rows affected' });
    const none = await proxy.call('DeleteValuesV2', { database_connection_str: conn, table_name: 'fruit', schema: { where: [['name', '=', 'apple']] } });
    assert.deepEqual(parsedBody(none), { result: '0 rows affected' });

    const all = parsedBody(await proxy.call('SelectValuesV2', { database_connection_str: conn, table_name: 'fruit', schema: { columns: ['*'] } })) as unknown[][];
    assert.equal(all.length, 2);
    assert.equal(all[0]?.length, 3, 'every column, in table order');

    // The reference's DropTableV2 takes no schema, and drops IF EXISTS.
    assert.deepEqual(parsedBody(await proxy.call('DropTableV2', { database_connection_str: conn, table_name: 'fruit' })), { result: 'ok' });
    assert.deepEqual(parsedBody(await proxy.call('DropTableV2', { database_connection_str: conn, table_name: 'fruit', schema: {} })), { result: 'ok' });
    assert.deepEqual(await schema.tables(), []);
    proxy.assertNothingLeaked([PASSWORD, conn]);
  });

  test('DoSQL answers rows with fetch_results, else the rows affected or ok', async () => {
    const doSql = (sql: string, extra: Record<string, unknown> = {}): Promise<Answer> =>
      proxy.call('DoSQL', { database_connection_str: conn, schema: { sql, ...extra } });
    assert.deepEqual(parsedBody(await doSql('CREATE TABLE orders (id serial primary key, item text, qty int, meta jsonb)')), { result: 'ok' });
    // psycopg2's placeholders, as scripts written for the reference use them; a dict is bound as JSON.
    const insert = await doSql('INSERT INTO orders (item, qty, meta) VALUES (%s, %s, %s), (%s, %s, %s)', {
      values: ['apple', 3, { colour: 'red' }, "pear'); DROP TABLE orders; --", 5, null],
    });
    assert.deepEqual(parsedBody(insert), { result: '2 rows affected' });
    assert.deepEqual(parsedBody(await doSql('SELECT 1 FROM orders')), { result: '2 rows affected' });

    const fetched = await doSql("SELECT item, qty, meta FROM orders WHERE qty >= %s AND item LIKE 'a%%' ORDER BY id", { values: [2], fetch_results: true });
    assert.deepEqual(parsedBody(fetched), [['apple', 3, { colour: 'red' }]]);
    // PostgreSQL's own placeholders work too.
    const dollar = await doSql('SELECT item FROM orders WHERE qty = $1', { values: [5], fetch_results: true });
    assert.deepEqual(parsedBody(dollar), [["pear'); DROP TABLE orders; --"]]);
    // Two columns of one name both survive, as lists.
    assert.deepEqual(parsedBody(await doSql('SELECT 1 AS n, 2 AS n', { fetch_results: true })), [[1, 2]]);
    // Several statements without values; the last one answers.
    const several = await doSql('UPDATE orders SET qty = qty + 1; SELECT count(*) FROM orders', { fetch_results: true });
    assert.deepEqual(parsedBody(several), [[2]]);
    assert.deepEqual(parsedBody(await doSql('DELETE FROM orders WHERE qty > 100', { fetch_results: false })), { result: '0 rows affected' });
    assert.deepEqual(await schema.query(`SELECT item FROM ${schema.name}.orders ORDER BY id`), [{ item: 'apple' }, { item: "pear'); DROP TABLE orders; --" }]);
    assert.deepEqual(parsedBody(await doSql('DROP TABLE orders')), { result: 'ok' });
  });

  test('hostile table and column names stay quoted names', async () => {
    await schema.query(`CREATE TABLE ${schema.name}.victim (id int)`);
    await schema.query(`INSERT INTO ${schema.name}.victim VALUES (1)`);
    const created = await proxy.call('CreateTableV2', {
      database_connection_str: conn,
      table_name: HOSTILE_TABLE,
      schema: { column_definitions: [{ name: HOSTILE_COLUMN, type: 'text' }] },
    });
    assert.deepEqual(parsedBody(created), { result: 'ok' });
    assert.deepEqual(await schema.tables(), ['victim', HOSTILE_TABLE].sort());
    const inserted = await proxy.call('InsertValuesV2', {
      database_connection_str: conn,
      table_name: HOSTILE_TABLE,
      schema: { columns: [HOSTILE_COLUMN], values: [["'); DELETE FROM victim; --"]] },
    });
    assert.deepEqual(parsedBody(inserted), { result: '1 rows affected' });
    const selected = await proxy.call('SelectValuesV2', {
      database_connection_str: conn,
      table_name: HOSTILE_TABLE,
      schema: { columns: [HOSTILE_COLUMN], where: [[HOSTILE_COLUMN, '=', "'); DELETE FROM victim; --"]] },
    });
    assert.deepEqual(parsedBody(selected), [["'); DELETE FROM victim; --"]]);
    const updated = await proxy.call('UpdateValuesV2', {
      database_connection_str: conn,
      table_name: HOSTILE_TABLE,
      schema: { set: { [HOSTILE_COLUMN]: 'x' }, where: [[HOSTILE_COLUMN, '!=', 'y']] },
    });
    assert.deepEqual(parsedBody(updated), { result: '1 rows affected' });
    // An operator that is not one of the allowed ones is refused before any SQL is made.
    const operator = await proxy.call('DeleteValuesV2', { database_connection_str: conn, table_name: HOSTILE_TABLE, schema: { where: [[HOSTILE_COLUMN, '= 1 OR 1 =', 1]] } });
    failed(operator, 'invalid_parameters', undefined, 400);
    assert.deepEqual(parsedBody(await proxy.call('DropTableV2', { database_connection_str: conn, table_name: HOSTILE_TABLE })), { result: 'ok' });
    assert.deepEqual(await schema.query(`SELECT id FROM ${schema.name}.victim`), [{ id: 1 }]);
    await schema.query(`DROP TABLE ${schema.name}.victim`);
  });

  test('bad input gets a clear error code', async () => {
    const noSchema = await proxy.call('InsertValuesV2', { database_connection_str: conn, table_name: 't' });
    failed(noSchema, 'invalid_parameters', undefined, 400);
    assert.match(noSchema.envelope.error?.message ?? '', /schema/);

    const misspelt = await proxy.call('DeleteValuesV2', { database_connection_str: conn, table_name: 't', schema: { wher: [['id', '=', 1]] } });
    failed(misspelt, 'invalid_parameters', undefined, 400);
    assert.match(misspelt.envelope.error?.message ?? '', /unknown keys "wher"/);

    const badType = await proxy.call('CreateTableV2', { database_connection_str: conn, table_name: 't', schema: { column_definitions: [{ name: 'a', type: 'int); DROP TABLE x; --' }] } });
    failed(badType, 'invalid_parameters', undefined, 400);

    const missing = await proxy.call('SelectValuesV2', { database_connection_str: conn, table_name: 'no_such_table', schema: { columns: ['a'] } });
    failed(missing, PostgresErrorCodes.tableNotFound, 404);

    const syntax = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELEC 1' } });
    failed(syntax, PostgresErrorCodes.invalidStatement, 400);

    const counted = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT %s, %s', values: [1] } });
    failed(counted, 'invalid_parameters', undefined, 400);
    assert.match(counted.envelope.error?.message ?? '', /schema\.values.*1 values for the 2 %s placeholders/);

    const noSql = await proxy.call('DoSQL', { database_connection_str: conn, schema: { values: [1] } });
    failed(noSql, 'invalid_parameters', undefined, 400);

    const badConnection = await proxy.call('DoSQL', { database_connection_str: `host=127.0.0.1 sslkey=/etc/passwd password=${PASSWORD}`, schema: { sql: 'SELECT 1' } });
    failed(badConnection, 'invalid_parameters', undefined, 400);
    proxy.assertNothingLeaked([PASSWORD, conn]);
  });

  test('a DoSQL cut off by the deadline is cancelled on the server; COPY with the client is refused', async () => {
    const application = `v2-sleep-${randomBytes(4).toString('hex')}`;
    const sleepy = schema.keywordConnection(`application_name=${application}`);
    const deadlined = await startProxy({ CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '400' });
    try {
      for (let round = 0; round < 2; round++) {
        const answers = await Promise.all(
          Array.from({ length: MAX_CONNECTIONS_PER_POOL }, () =>
            deadlined.call('DoSQL', { database_connection_str: sleepy, schema: { sql: 'SET statement_timeout = 0; SELECT pg_sleep(25)', fetch_results: true } }),
          ),
        );
        for (const answer of answers) failed(answer, 'command_timeout', 504);
      }
      await eventually(async () => (await schema.backends(application, 'active')) === 0);
      assert.ok((await schema.backends(application)) <= MAX_CONNECTIONS_PER_POOL);
      const copy = await deadlined.call('DoSQL', { database_connection_str: sleepy, schema: { sql: 'COPY (SELECT 1) TO STDOUT' } });
      failed(copy, PostgresErrorCodes.copyNotSupported, 400);
    } finally {
      await deadlined.close();
      await schema.terminate(application);
    }
  });
});
