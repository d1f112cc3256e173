import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { failed, ok, postgresUnavailable, usePostgresProxy } from './postgres-test-database.js';

const unavailable = await postgresUnavailable();

const HOSTILE_TABLE = 'x"; DROP TABLE victim; --';
const HOSTILE_COLUMN = "a\"; DELETE FROM victim; SELECT '";

/**
 * Names, types, operators, constraints and values written to break out of their place in a
 * statement. Each must either be refused (400) or end up as a literal name or value: the
 * `victim` table and its row survive every attempt.
 */
describe('postgres connector: hostile input cannot inject SQL', { skip: unavailable, timeout: 60_000 }, () => {
  const { schema, proxy, conn } = usePostgresProxy();

  beforeEach(async () => {
    await schema.query(`CREATE TABLE IF NOT EXISTS ${schema.name}.victim (id int)`);
    await schema.query(`INSERT INTO ${schema.name}.victim SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM ${schema.name}.victim)`);
  });

  async function assertVictimSurvived(): Promise<void> {
    assert.deepEqual(await schema.query(`SELECT id FROM ${schema.name}.victim`), [{ id: 1 }]);
  }

  test('a table and a column named like SQL are just names', async () => {
    ok(await proxy.call('CreateTable', {
      database_connection_str: conn,
      table_name: HOSTILE_TABLE,
      schema: { columns: [{ name: HOSTILE_COLUMN, type: 'text' }, { name: 'n', type: 'int' }] },
    }));
    assert.ok((await schema.tables()).includes(HOSTILE_TABLE));
    ok(await proxy.call('InsertValues', { database_connection_str: conn, table_name: HOSTILE_TABLE, schema: { columns: [HOSTILE_COLUMN, 'n'], values: [['v', 1]] } }));
    const selected = ok(await proxy.call('SelectValues', {
      database_connection_str: conn,
      table_name: HOSTILE_TABLE,
      schema: { columns: [HOSTILE_COLUMN], where: [[HOSTILE_COLUMN, '=', 'v']] },
    }));
    assert.deepEqual(selected.rows, [{ [HOSTILE_COLUMN]: 'v' }]);
    ok(await proxy.call('UpdateValues', { database_connection_str: conn, table_name: HOSTILE_TABLE, schema: { set: { [HOSTILE_COLUMN]: 'w' }, where: [['n', '=', 1]] } }));
    ok(await proxy.call('DeleteValues', { database_connection_str: conn, table_name: HOSTILE_TABLE, schema: { where: [[HOSTILE_COLUMN, '=', 'w']] } }));
    ok(await proxy.call('DropTable', { database_connection_str: conn, table_name: HOSTILE_TABLE }));
    assert.ok(!(await schema.tables()).includes(HOSTILE_TABLE));
    await assertVictimSurvived();
  });

  test('quotes, semicolons, spaces and unicode stay part of the name', async () => {
    const names = ['naïve tàble; größe', '"Quoted""Name"', "it's", 'Ünïcödé_日本'];
    for (const name of names) {
      ok(await proxy.call('CreateTable', { database_connection_str: conn, table_name: name, schema: { columns: [{ name, type: 'int' }] } }));
    }
    const tables = await schema.tables();
    // `"Quoted""Name"` is PostgreSQL's quoted form: case kept, inner quote undoubled. `Ünïcödé_日本` is
    // an ordinary unquoted name: only its ASCII letters fold, as PostgreSQL folds them.
    for (const expected of ['naïve tàble; größe', 'Quoted"Name', "it's", 'Ünïcödé_日本']) assert.ok(tables.includes(expected), `${expected} in ${tables.join(', ')}`);
    await assertVictimSurvived();
  });

  test('a schema-qualified name cannot smuggle a third part or a statement', async () => {
    const answer = await proxy.call('DropTable', { database_connection_str: conn, table_name: `${schema.name}.victim; DROP TABLE ${schema.name}.victim` });
    failed(answer, 'invalid_parameters', undefined, 400);
    const literal = await proxy.call('DropTable', { database_connection_str: conn, table_name: `${schema.name}.victim; --` });
    failed(literal, 'PostgresTableNotFound', 404);
    await assertVictimSurvived();
  });

  test('types, constraints and operators outside the allow-lists are refused before any SQL runs', async () => {
    const badType = await proxy.call('CreateTable', {
      database_connection_str: conn,
      table_name: 'typed',
      schema: { columns: [{ name: 'a', type: 'int); DROP TABLE victim; --' }, { name: 'b', type: 'text COLLATE "C"' }] },
    });
    failed(badType, 'invalid_parameters', undefined, 400);
    assert.match(badType.envelope.error?.message ?? '', /schema\.columns\[0\]\.type must be a PostgreSQL type.*schema\.columns\[1\]\.type/);

    const badConstraint = await proxy.call('CreateTable', {
      database_connection_str: conn,
      table_name: 'constrained',
      schema: { columns: [{ name: 'a', type: 'int', constraints: ['check (true)); DROP TABLE victim; --'] }] },
    });
    failed(badConstraint, 'invalid_parameters', undefined, 400);

    for (const operator of ['= 1; DROP TABLE victim; --', 'OR', '=1 OR 1=1 --', ';', 'between']) {
      const badOperator = await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'victim', schema: { where: [['id', operator, 1]] } });
      failed(badOperator, 'invalid_parameters', undefined, 400);
      assert.match(badOperator.envelope.error?.message ?? '', /schema\.where\[0\]\[1\] must be one of =, !=/);
    }
    const tables = await schema.tables();
    assert.ok(!tables.includes('typed') && !tables.includes('constrained'), tables.join(', '));
    await assertVictimSurvived();
  });

  test('a column that reads like an expression is looked up as a column', async () => {
    for (const column of ['id::text', '1=1 OR id', 'id) OR (1=1']) {
      const answer = await proxy.call('DeleteValues', { database_connection_str: conn, table_name: 'victim', schema: { where: [[column, '=', 1]] } });
      failed(answer, 'PostgresInvalidStatement', 400);
      assert.equal(answer.body.sqlstate, '42703', answer.text); // undefined_column
    }
    await assertVictimSurvived();
  });

  test('a default is written as a literal, whatever it holds', async () => {
    const sneaky = "'); DROP TABLE victim; --\\";
    ok(await proxy.call('CreateTable', {
      database_connection_str: conn,
      table_name: 'defaults',
      schema: { columns: [{ name: 'id', type: 'int' }, { name: 'note', type: 'text', default: sneaky }, { name: 'flag', type: 'boolean', default: true }] },
    }));
    ok(await proxy.call('InsertValues', { database_connection_str: conn, table_name: 'defaults', schema: { columns: ['id'], values: [[1]] } }));
    const row = ok(await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'defaults', schema: { where: [['note', '=', sneaky]] } }));
    assert.deepEqual(row.rows, [{ id: 1, note: sneaky, flag: true }]);
    await assertVictimSurvived();
  });

  test('a value with a quote in a where clause is compared as a value', async () => {
    ok(await proxy.call('CreateTable', { database_connection_str: conn, table_name: 'people', schema: { columns: [{ name: 'name', type: 'text' }] } }));
    ok(await proxy.call('InsertValues', { database_connection_str: conn, table_name: 'people', schema: { columns: ['name'], values: [["O'Brien"], ['Smith']] } }));
    const none = ok(await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'people', schema: { where: [['name', '=', "x' OR '1'='1"]] } }));
    assert.deepEqual(none.rows, []);
    const one = ok(await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'people', schema: { where: [['name', 'IN', ["O'Brien", "'); DROP TABLE victim; --"]]] } }));
    assert.deepEqual(one.rows, [{ name: "O'Brien" }]);
    const deleted = ok(await proxy.call('DeleteValues', { database_connection_str: conn, table_name: 'people', schema: { where: [['name', '=', "' OR 1=1 --"]] } }));
    assert.deepEqual(deleted, { row_count: 0 });
    await assertVictimSurvived();
  });

  test('a NUL character in a name is refused', async () => {
    failed(await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'victim\u0000"; DROP TABLE victim', schema: {} }), 'invalid_parameters', undefined, 400);
    failed(await proxy.call('SelectValues', { database_connection_str: conn, table_name: 'victim', schema: { columns: ['id\u0000'] } }), 'invalid_parameters', undefined, 400);
    await assertVictimSurvived();
  });
});
