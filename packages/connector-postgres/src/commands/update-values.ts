import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { isJsonObject, Problems, readName, readObject, readTableName } from '../schema-reading.js';
import { updateSql } from '../sql-builder.js';
import { readWhere } from '../where-clause.js';
import type { RowCountBody } from './insert-values.js';
import { runRowChange, type RowChangePlan } from '../row-change.js';
import type { TableParameters } from '../table-parameters.js';

/** `postgres/UpdateValues`: sets columns of the rows that match, every value a bound parameter. */
export const updateValues = defineCommand({
  name: 'UpdateValues',
  description: 'Sets columns of the rows that match every where condition (every row without where).',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject('The new values and the rows to change (every row without where), e.g. {"set": {"qty": 4}, "where": [["name", "=", "apple"]]}'),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const rowCount = await runUpdateValues(ctx, params.database_connection_str, readUpdateValues(params));
    const body: RowCountBody = { row_count: rowCount };
    return { body };
  },
});

/** Reads `table_name` and `schema` (`set`, `where`); throws `invalid_parameters`. */
export function readUpdateValues(params: TableParameters): RowChangePlan {
  const problems = new Problems();
  const table = readTableName(params.table_name, problems);
  const schema = readObject(params.schema ?? {}, 'schema', ['set', 'where'], problems) ?? {};
  const set = readAssignments(schema.set, problems);
  const where = readWhere(schema.where, 'schema.where', problems);
  problems.throwIfAny();
  return { table, statement: updateSql(table, set, where) };
}

/** Updates the matching rows; answers how many. */
export function runUpdateValues(ctx: CommandContext<PoolRegistry>, connectionString: string, plan: RowChangePlan): Promise<number> {
  return runRowChange(ctx, connectionString, `Updating table ${plan.table}`, plan.statement);
}

/** `set`: a non-empty object from column name to new value. */
function readAssignments(value: unknown, problems: Problems): Map<string, unknown> {
  if (!isJsonObject(value) || Object.keys(value).length === 0) {
    problems.add('schema.set', 'must be a non-empty object of column name to new value');
    return new Map();
  }
  const set = new Map<string, unknown>();
  for (const [column, newValue] of Object.entries(value)) {
    const name = readName(column, `schema.set[${JSON.stringify(column)}]`, problems);
    if (name !== undefined) set.set(name, newValue);
  }
  return set;
}
