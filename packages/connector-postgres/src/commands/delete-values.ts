import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { withConnection } from '../pooled-connection.js';
import { Problems, readObject, readTableName } from '../schema-reading.js';
import { deleteSql } from '../sql-builder.js';
import { readWhere } from '../where-clause.js';
import type { RowCountBody } from './insert-values.js';

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
    const problems = new Problems();
    const table = readTableName(params.table_name, problems);
    const schema = readObject(params.schema, 'schema', ['where'], problems) ?? {};
    const where = readWhere(schema.where, 'schema.where', problems);
    problems.throwIfAny();

    const statement = deleteSql(table, where);
    const action = `Deleting from table ${table}`;
    const result = await withConnection(ctx, { connectionString: params.database_connection_str, action }, (client) =>
      client.query(statement.text, statement.values),
    );
    const rowCount = result.rowCount ?? 0;
    ctx.log.info(`Deleted from table ${table}: row count ${rowCount}`);
    const body: RowCountBody = { row_count: rowCount };
    return { body };
  },
});
