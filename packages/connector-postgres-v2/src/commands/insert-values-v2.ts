import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, readInsertValues, runInsertValues, schemaObject, tableName, type PoolRegistry } from '@connector-proxy/connector-postgres';
import { rowsAffectedText } from '../reference-answer.js';

/** `postgres_v2/InsertValuesV2`: inserts rows, every value bound, all rows or none. */
export const insertValuesV2 = defineCommand({
  name: 'InsertValuesV2',
  description: 'Inserts rows into a table, all of them or none. Answers the JSON text {"result": "<n> rows affected"}.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject('The columns and one list of values per row: {"columns": ["name", "qty"], "values": [["apple", 3], ["pear", 5]]}.'),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const inserted = await runInsertValues(ctx, params.database_connection_str, readInsertValues(params));
    return { body: rowsAffectedText(inserted) };
  },
});
