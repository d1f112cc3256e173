import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { withConnection } from '../pooled-connection.js';
import { Problems, readNames, readObject, readTableName } from '../schema-reading.js';
import { selectSql } from '../sql-builder.js';
import { readWhere } from '../where-clause.js';

/** What `postgres/SelectValues` answers: one object per row, keyed by column name. */
export interface SelectValuesBody {
  rows: Record<string, unknown>[];
  row_count: number;
}

/** `postgres/SelectValues`: reads rows, optionally only some columns and only matching rows. */
export const selectValues = defineCommand({
  name: 'SelectValues',
  description: 'Reads the rows of a table that match every where condition.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject('Which columns and rows, both optional (default: all), e.g. {"columns": ["name", "qty"], "where": [["qty", ">", 2], ["name", "LIKE", "a%"]]}'),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const problems = new Problems();
    const table = readTableName(params.table_name, problems);
    const schema = readObject(params.schema, 'schema', ['columns', 'where'], problems) ?? {};
    const columns = readColumnChoice(schema.columns, problems);
    const where = readWhere(schema.where, 'schema.where', problems);
    problems.throwIfAny();

    const statement = selectSql(table, columns, where);
    const action = `Selecting from table ${table}`;
    const result = await withConnection(ctx, { connectionString: params.database_connection_str, action }, (client) =>
      client.query<Record<string, unknown>>(statement.text, statement.values),
    );
    ctx.log.info(`Selected from table ${table}: row count ${result.rows.length}`);
    const body: SelectValuesBody = { rows: result.rows, row_count: result.rows.length };
    return { body };
  },
});

/** `columns`: absent, null or `["*"]` for every column, else the columns wanted. */
function readColumnChoice(value: unknown, problems: Problems): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.length === 1 && value[0] === '*') return undefined;
  return readNames(value, 'schema.columns', problems);
}
