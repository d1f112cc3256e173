import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { withConnection } from '../pooled-connection.js';
import { queryShaped, type RowShape, type Rows } from '../row-shape.js';
import { Problems, readNames, readObject, readTableName } from '../schema-reading.js';
import { selectSql, type Statement } from '../sql-builder.js';
import { readWhere } from '../where-clause.js';
import type { TableParameters } from '../table-parameters.js';

/** What `postgres/SelectValues` answers: one object per row, keyed by column name. */
export interface SelectValuesBody {
  rows: Record<string, unknown>[];
  row_count: number;
}

/** A SelectValues call, read and checked. */
export interface SelectValuesPlan {
  /** The table name, quoted. */
  table: string;
  statement: Statement;
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
    const rows = await runSelectValues(ctx, params.database_connection_str, readSelectValues(params), 'objects');
    const body: SelectValuesBody = { rows, row_count: rows.length };
    return { body };
  },
});

/** Reads `table_name` and `schema` (`columns`, `where`); throws `invalid_parameters`. */
export function readSelectValues(params: TableParameters): SelectValuesPlan {
  const problems = new Problems();
  const table = readTableName(params.table_name, problems);
  const schema = readObject(params.schema ?? {}, 'schema', ['columns', 'where'], problems) ?? {};
  const columns = readColumnChoice(schema.columns, problems);
  const where = readWhere(schema.where, 'schema.where', problems);
  problems.throwIfAny();
  return { table, statement: selectSql(table, columns, where) };
}

/** Reads the matching rows, in `shape`. */
export async function runSelectValues<S extends RowShape>(ctx: CommandContext<PoolRegistry>, connectionString: string, plan: SelectValuesPlan, shape: S): Promise<Rows<S>> {
  const { table, statement } = plan;
  const result = await withConnection(ctx, { connectionString, action: `Selecting from table ${table}` }, (client) =>
    queryShaped(client, statement.text, statement.values, shape),
  );
  ctx.log.info(`Selected from table ${table}: row count ${result.rows.length}`);
  return result.rows;
}

/** `columns`: absent, null or `["*"]` for every column, else the columns wanted. */
function readColumnChoice(value: unknown, problems: Problems): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.length === 1 && value[0] === '*') return undefined;
  return readNames(value, 'schema.columns', problems);
}
