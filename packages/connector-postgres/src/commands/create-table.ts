import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { readColumnDefinitions } from '../column-definition.js';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { Problems, readFlag, readObject, readTableName } from '../schema-reading.js';
import { createTableSql, type Statement } from '../sql-builder.js';
import { runTableDdl } from '../table-ddl.js';
import type { TableParameters } from '../table-parameters.js';

const TABLE_EXISTS = '42P07';

/** What `postgres/CreateTable` answers. */
export interface CreateTableBody {
  table_name: string;
  /** `false` only with `if_not_exists` when the table was already there. */
  created: boolean;
}

/** A CreateTable call, read and checked. */
export interface CreateTablePlan {
  /** The table name, quoted. */
  table: string;
  statement: Statement;
  ifNotExists: boolean;
}

/** `postgres/CreateTable`: `CREATE TABLE` with checked column names, types and constraints. */
export const createTable = defineCommand({
  name: 'CreateTable',
  description: 'Creates a table with the given columns; fails with PostgresTableExists when it exists (unless if_not_exists).',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject(
      'The columns, e.g. {"column_definitions": [{"name": "id", "type": "integer", "constraints": ["primary key"]}, {"name": "name", "type": "text"}]} ("columns" also works); add "if_not_exists": true to accept an existing table',
    ),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const created = await runCreateTable(ctx, params.database_connection_str, readCreateTable(params));
    const body: CreateTableBody = { table_name: params.table_name, created };
    return { body };
  },
});

/** Reads `table_name` and `schema` (`column_definitions` or `columns`, `if_not_exists`); throws `invalid_parameters`. */
export function readCreateTable(params: TableParameters): CreateTablePlan {
  const problems = new Problems();
  const table = readTableName(params.table_name, problems);
  const schema = readObject(params.schema ?? {}, 'schema', ['column_definitions', 'columns', 'if_not_exists'], problems) ?? {};
  // The reference connector calls them `column_definitions`; `columns` reads better. Either, not both.
  if (schema.column_definitions !== undefined && schema.columns !== undefined) {
    problems.add('schema', 'must give the columns once: as "column_definitions" or as "columns"');
  }
  const columnsKey = schema.columns !== undefined ? 'columns' : 'column_definitions';
  const columns = readColumnDefinitions(schema[columnsKey], `schema.${columnsKey}`, problems);
  const ifNotExists = readFlag(schema.if_not_exists, 'schema.if_not_exists', problems);
  problems.throwIfAny();
  return { table, statement: createTableSql(table, columns), ifNotExists };
}

/** Creates the table; answers `false` when it existed and the plan allows that. */
export async function runCreateTable(ctx: CommandContext<PoolRegistry>, connectionString: string, plan: CreateTablePlan): Promise<boolean> {
  const { table, statement, ifNotExists } = plan;
  const created = await runTableDdl(ctx, connectionString, `Creating table ${table}`, statement, ifNotExists ? TABLE_EXISTS : undefined);
  ctx.log.info(created ? `Created table ${table}` : `Table ${table} already exists`);
  return created;
}
