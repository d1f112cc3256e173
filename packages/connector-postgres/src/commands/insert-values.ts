import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { withConnection } from '../pooled-connection.js';
import { Problems, readNames, readObject, readTableName } from '../schema-reading.js';
import { insertSql, type Statement } from '../sql-builder.js';
import type { TableParameters } from '../table-parameters.js';

/** What the row-changing commands answer. */
export interface RowCountBody {
  row_count: number;
}

/** An InsertValues call, read and checked. */
export interface InsertValuesPlan {
  /** The table name, quoted. */
  table: string;
  /** One statement per batch of rows; several run in one transaction. */
  statements: Statement[];
}

/** `postgres/InsertValues`: inserts rows, every value a bound parameter, all rows or none. */
export const insertValues = defineCommand({
  name: 'InsertValues',
  description: 'Inserts rows into a table: all of them, or none when one fails.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject('The column names and one list of values per row, e.g. {"columns": ["name", "qty"], "values": [["apple", 3], ["pear", 5]]}'),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const rowCount = await runInsertValues(ctx, params.database_connection_str, readInsertValues(params));
    const body: RowCountBody = { row_count: rowCount };
    return { body };
  },
});

/** Reads `table_name` and `schema` (`columns`, `values`); throws `invalid_parameters`. */
export function readInsertValues(params: TableParameters): InsertValuesPlan {
  const problems = new Problems();
  const table = readTableName(params.table_name, problems);
  const schema = readObject(params.schema ?? {}, 'schema', ['columns', 'values'], problems) ?? {};
  const columns = readNames(schema.columns, 'schema.columns', problems);
  const rows = readRows(schema.values, columns.length, problems);
  problems.throwIfAny();
  return { table, statements: insertSql(table, columns, rows) };
}

/** Inserts the rows; answers how many were inserted. */
export async function runInsertValues(ctx: CommandContext<PoolRegistry>, connectionString: string, plan: InsertValuesPlan): Promise<number> {
  const { table, statements } = plan;
  const rowCount = await withConnection(ctx, { connectionString, action: `Inserting into table ${table}` }, async (client) => {
    // Several statements (a very large insert) run in one transaction. When one fails the
    // connection is left in the failed transaction and closed, which rolls it back.
    if (statements.length > 1) await client.query('BEGIN');
    let inserted = 0;
    for (const statement of statements) inserted += (await client.query(statement.text, statement.values)).rowCount ?? 0;
    if (statements.length > 1) await client.query('COMMIT');
    return inserted;
  });
  ctx.log.info(`Inserted into table ${table}: row count ${rowCount}`);
  return rowCount;
}

/** `values`: a non-empty array of rows, each an array with one value per column. */
function readRows(value: unknown, width: number, problems: Problems): unknown[][] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add('schema.values', 'must be a non-empty array of rows, each an array of values');
    return [];
  }
  // Only the first bad row is named: a long list of them would bury the message.
  const bad = value.findIndex((row) => !Array.isArray(row) || (width > 0 && row.length !== width));
  if (bad >= 0) problems.add(`schema.values[${bad}]`, `must be an array of ${width} values, one per column`);
  return value as unknown[][];
}
