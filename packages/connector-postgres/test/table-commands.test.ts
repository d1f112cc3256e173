import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresErrorCodes } from '@connector-proxy/connector-postgres';
import { failed, ok, PASSWORD, postgresUnavailable, usePostgresProxy } from './postgres-test-database.js';

const unavailable = await postgresUnavailable();

describe('postgres table commands through the proxy', { skip: unavailable, timeout: 60_000 }, () => {
  const { schema, proxy, conn } = usePostgresProxy();

  test('GET /v1/commands lists the seven commands with the reference parameters', async () => {
    const listed = (await (await fetch(`${proxy.url}/v1/commands`)).json()) as { id: string; parameters: { id: string; type: string; required: boolean }[] }[];
    const ids = listed.map((command) => command.id).sort();
    assert.deepEqual(ids, ['CreateTable', 'DeleteValues', 'DoSQL', 'DropTable', 'InsertValues', 'SelectValues', 'UpdateValues'].map((name) => `postgres/${name}`));
    const insert = listed.find((command) => command.id === 'postgres/InsertValues');
    assert.deepEqual(insert?.parameters.map(({ id, type, required }) => ({ id, type, required })), [
      { id: 'database_connection_str', type: 'str', required: true },
      { id: 'table_name', type: 'str', required: true },
      { id: 'schema', type: 'any', required: true },
    ]);
    const doSql = listed.find((command) => command.id === 'postgres/DoSQL');
    assert.deepEqual(doSql?.parameters.map((p) => p.id), ['database_connection_str', 'schema']);
  });

  test('a table goes through create, insert, select with where, update, delete and drop', async () => {
    const created = ok(await proxy.call('CreateTable', {
      database_connection_str: conn,
      table_name: 'Fruit', // unquoted names fold to lower case, as in SQL
      schema: {
        column_definitions: [
          { name: 'id', type: 'integer', constraints: ['primary key'] },
          { name: 'name', type: 'varchar(100)', constraints: ['not null', 'unique'] },
          { name: 'qty', type: 'integer', default: 0 },
          { name: 'price', type: 'numeric(10, 2)' },
          { name: 'picked', type: 'timestamp with time zone' },
          { name: 'tags', type: 'text[]' },
        ],
      },
    }));
    assert.deepEqual(created, { table_name: 'Fruit', created: true });
    assert.deepEqual(await schema.tables(), ['fruit']);

    const inserted = ok(await proxy.call('InsertValues', {
      database_connection_str: conn,
      table_name: 'fruit',
      schema: {
        columns: ['id', 'name', 'qty', 'price', 'picked', 'tags'],
        values: [
          [1, 'apple', 3, 1.5, '2024-05-01T10:00:00Z', ['red', 'sweet']],
          [2, 'pear', 5, '2.25', null, []],
          [3, 'plum', 1, null, null, null],
        ],
      },
    }));
    assert.deepEqual(inserted, { row_count: 3 });

    const some = ok(await proxy.call('SelectValues', {
      database_connection_str: conn,
      table_name: 'fruit',
      schema: { columns: ['name', 'qty'], where: [['qty', '>', 2], ['name', 'like', 'p%']] },
    }));
    assert.deepEqual(some, { rows: [{ name: 'pear', qty: 5 }], row_count: 1 });

    const apple = ok(await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'fruit', schema: { where: [['id', '=', 1]] } }));
    assert.deepEqual(apple.rows, [{ id: 1, name: 'apple', qty: 3, price: '1.50', picked: '2024-05-01T10:00:00.000Z', tags: ['red', 'sweet'] }]);

    const listed = ok(await proxy.call('SelectValues', {
      database_connection_str: conn,
      table_name: 'fruit',
      schema: { columns: ['id'], where: [['name', 'IN', ['apple', 'plum', 'kiwi']], ['price', 'IS NULL']] },
    }));
    assert.deepEqual(listed.rows, [{ id: 3 }]);

    const updated = ok(await proxy.call('UpdateValues', {
      database_connection_str: conn,
      table_name: 'fruit',
      schema: { set: { qty: 10, price: 0.99 }, where: [['name', '=', 'plum']] },
    }));
    assert.deepEqual(updated, { row_count: 1 });
    assert.deepEqual(await schema.query(`SELECT qty, price::text FROM ${schema.name}.fruit WHERE id = 3`), [{ qty: 10, price: '0.99' }]);

    const deleted = ok(await proxy.call('DeleteValues', { database_connection_str: conn, table_name: 'fruit', schema: { where: [['id', 'not in', [1, 3]]] } }));
    assert.deepEqual(deleted, { row_count: 1 });
    const left = ok(await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'fruit', schema: { columns: ['*'] } }));
    assert.deepEqual((left.rows as { name: string }[]).map((row) => row.name).sort(), ['apple', 'plum']);

    assert.deepEqual(ok(await proxy.call('DropTable', { database_connection_str: conn, table_name: 'fruit' })), { table_name: 'fruit', dropped: true });
    assert.deepEqual(await schema.tables(), []);
    const gone = await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'fruit', schema: {} });
    failed(gone, PostgresErrorCodes.tableNotFound, 404);
    assert.match(gone.envelope.error?.message ?? '', /^Selecting from table "fruit" failed: relation "fruit" does not exist/);
  });

  test('the URI form of the connection string works like the keyword form', async () => {
    const uri = schema.uriConnection({ application_name: 'uri-form-test' });
    ok(await proxy.call('CreateTable', { database_connection_str: uri, table_name: 'via_uri', schema: { columns: [{ name: 'n', type: 'bigint' }] } }));
    ok(await proxy.call('InsertValues', { database_connection_str: uri, table_name: 'via_uri', schema: { columns: ['n'], values: [[7], ['9007199254740993']] } }));
    const rows = ok(await proxy.call('SelectValues', { database_connection_str: uri, table_name: 'via_uri', schema: {} })).rows;
    // bigint is a JSON number while exact, else its digits
    assert.deepEqual(rows, [{ n: 7 }, { n: '9007199254740993' }]);
    const who = ok(await proxy.call('DoSQL', { database_connection_str: uri, schema: { sql: "SELECT current_setting('application_name') AS app" } }));
    assert.deepEqual(who.rows, [{ app: 'uri-form-test' }]);
  });

  test('creating a table that exists is PostgresTableExists, unless if_not_exists', async () => {
    const definition = { database_connection_str: conn, table_name: 'twice', schema: { columns: [{ name: 'id', type: 'int' }] } };
    ok(await proxy.call('CreateTable', definition));
    failed(await proxy.call('CreateTable', definition), PostgresErrorCodes.tableExists, 409);
    const again = ok(await proxy.call('CreateTable', { ...definition, schema: { ...definition.schema, if_not_exists: true } }));
    assert.deepEqual(again, { table_name: 'twice', created: false });
  });

  test('dropping a table that does not exist is PostgresTableNotFound, unless if_exists', async () => {
    failed(await proxy.call('DropTable', { database_connection_str: conn, table_name: 'never_made' }), PostgresErrorCodes.tableNotFound, 404);
    const tolerant = ok(await proxy.call('DropTable', { database_connection_str: conn, table_name: 'never_made', schema: { if_exists: true } }));
    assert.deepEqual(tolerant, { table_name: 'never_made', dropped: false });
  });

  test('what the database refuses comes back with a code a boundary event can catch', async () => {
    ok(await proxy.call('CreateTable', {
      database_connection_str: conn,
      table_name: 'strict_things',
      schema: { columns: [{ name: 'id', type: 'integer', constraints: ['PRIMARY  KEY'] }, { name: 'label', type: 'text', constraints: ['not null'] }] },
    }));
    ok(await proxy.call('InsertValues', { database_connection_str: conn, table_name: 'strict_things', schema: { columns: ['id', 'label'], values: [[1, 'one']] } }));

    const duplicate = await proxy.call('InsertValues', { database_connection_str: conn, table_name: 'strict_things', schema: { columns: ['id', 'label'], values: [[1, 'again']] } });
    failed(duplicate, PostgresErrorCodes.constraintViolation, 409);
    assert.equal(duplicate.body.sqlstate, '23505');
    assert.match(duplicate.envelope.error?.message ?? '', /^Inserting into table "strict_things" failed: duplicate key .*Key \(id\)=\(1\) already exists/);

    const notNumber = await proxy.call('InsertValues', { database_connection_str: conn, table_name: 'strict_things', schema: { columns: ['id', 'label'], values: [['abc', 'x']] } });
    failed(notNumber, PostgresErrorCodes.invalidValue, 400);

    const unknownColumn = await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'strict_things', schema: { columns: ['nope'] } });
    failed(unknownColumn, PostgresErrorCodes.invalidStatement, 400);

    const badSql = await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELEC 1' } });
    failed(badSql, PostgresErrorCodes.invalidStatement, 400);
    assert.equal(badSql.body.sqlstate, '42601');
  });

  test('a large insert is split into several statements and is still all or nothing', async () => {
    ok(await proxy.call('CreateTable', { database_connection_str: conn, table_name: 'many', schema: { columns: [{ name: 'n', type: 'integer', constraints: ['unique'] }] } }));
    // 70 000 values are more than one statement can bind (65 535).
    const rows = Array.from({ length: 70_000 }, (_, index) => [index]);
    const failing = await proxy.call('InsertValues', { database_connection_str: conn, table_name: 'many', schema: { columns: ['n'], values: [...rows, [0]] } });
    failed(failing, PostgresErrorCodes.constraintViolation, 409);
    assert.deepEqual(await schema.query(`SELECT count(*)::int AS n FROM ${schema.name}.many`), [{ n: 0 }]);

    assert.deepEqual(ok(await proxy.call('InsertValues', { database_connection_str: conn, table_name: 'many', schema: { columns: ['n'], values: rows } })), { row_count: 70_000 });
    assert.deepEqual(await schema.query(`SELECT count(*)::int AS n FROM ${schema.name}.many`), [{ n: 70_000 }]);
  });

  test('DoSQL binds values, runs several statements and answers the last one', async () => {
    const sum = ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SELECT $1::int + $2::int AS n, $3::text AS t', values: [40, 2, "it's"] } }));
    assert.deepEqual(sum, { rows: [{ n: 42, t: "it's" }], row_count: 1, command: 'SELECT' });

    const script = ok(await proxy.call('DoSQL', {
      database_connection_str: conn,
      schema: { sql: 'CREATE TABLE scripted (d date); INSERT INTO scripted VALUES (\'2024-02-29\'), (NULL); SELECT d FROM scripted ORDER BY d', fetch_results: true },
    }));
    // dates stay as PostgreSQL writes them, whatever the proxy's time zone
    assert.deepEqual(script, { rows: [{ d: '2024-02-29' }, { d: null }], row_count: 2, command: 'SELECT' });

    const insert = ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'INSERT INTO scripted VALUES ($1)', values: ['2025-01-01'] } }));
    assert.deepEqual(insert, { rows: [], row_count: 1, command: 'INSERT' });
  });

  test('DoSQL cannot leave its session state or an open transaction to later calls', async () => {
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'CREATE TABLE tx_probe (n int)' } }));
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'SET statement_timeout = 0; SET search_path = public' } }));
    ok(await proxy.call('DoSQL', { database_connection_str: conn, schema: { sql: 'BEGIN; INSERT INTO tx_probe VALUES (1)' } }));
    const settings = ok(await proxy.call('DoSQL', {
      database_connection_str: conn,
      schema: { sql: "SELECT current_setting('statement_timeout') AS timeout, current_setting('search_path') AS path, (SELECT count(*) FROM tx_probe)::int AS uncommitted" },
    }));
    assert.deepEqual(settings.rows, [{ timeout: '30s', path: schema.name, uncommitted: 0 }]);
  });

  test('a schema that is not what the command reads is a 400 naming every problem, before any SQL runs', async () => {
    const answer = await proxy.call('UpdateValues', {
      database_connection_str: conn,
      table_name: 'a.b.c',
      schema: { set: {}, wher: [['id', '=', 1]] },
    });
    failed(answer, 'invalid_parameters', undefined, 400);
    const message = answer.envelope.error?.message ?? '';
    assert.match(message, /table_name must be a table name or schema\.table/);
    assert.match(message, /schema has unknown keys "wher"/);
    assert.match(message, /schema\.set must be a non-empty object/);

    const rows = await proxy.call('InsertValues', { database_connection_str: conn, table_name: 't', schema: { columns: ['a', 'b'], values: [[1, 2], [3]] } });
    failed(rows, 'invalid_parameters', undefined, 400);
    assert.match(rows.envelope.error?.message ?? '', /schema\.values\[1\] must be an array of 2 values/);

    const where = await proxy.call('DeleteValues', { database_connection_str: conn, table_name: 't', schema: { where: [['a', 'IN', 3], ['b', 'IS NULL', 1]] } });
    failed(where, 'invalid_parameters', undefined, 400);
    assert.match(where.envelope.error?.message ?? '', /schema\.where\[0\] needs an array of values.*schema\.where\[1\] takes no value/);
  });

  test('no answer or log line holds the password or the connection string', () => {
    proxy.assertNothingLeaked([PASSWORD, conn, schema.uriConnection()]);
  });
});
