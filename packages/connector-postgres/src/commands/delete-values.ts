import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { Problems, readObject, readTableName } from '../schema-reading.js';
import { deleteSql } from '../sql-builder.js';
import { readWhere } from '../where-clause.js';
import type { RowCountBody } from './insert-values.js';
import { runRowChange, type RowChangePlan } from '../row-change.js';
import type { TableParameters } from '../table-parameters.js';

/** `postgres/DeleteValues`: deletes the rows that match. */
export const deleteValues = defineCommand({
  name: 'DeleteValues',
  description: 'Deletes the rows that match every where condition (every row without where).',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject('The rows to delete as [column, operator, value] conditions (every row without where), e.g. {"where": [["name", "=", "apple"]]}'),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const rowCount = await runDeleteValues(ctx, params.database_connection_str, readDeleteValues(params));
    const body: RowCountBody = { row_count: rowCount };
    return { body };
  },
});

/** Reads `table_name` and `schema` (`where`); throws `invalid_parameters`. */
export function readDeleteValues(params: TableParameters): RowChangePlan {
  const problems = new Problems();
  const table = readTableName(params.table_name, problems);
  const schema = readObject(params.schema ?? {}, 'schema', ['where'], problems) ?? {};
  const where = readWhere(schema.where, 'schema.where', problems);
  problems.throwIfAny();
  return { table, statement: deleteSql(table, where) };
}

/** Deletes the matching rows; answers how many. */
export function runDeleteValues(ctx: CommandContext<PoolRegistry>, connectionString: string, plan: RowChangePlan): Promise<number> {
  return runRowChange(ctx, connectionString, `Deleting from table ${plan.table}`, plan.statement);
}
