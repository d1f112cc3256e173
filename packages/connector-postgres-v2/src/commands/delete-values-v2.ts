import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, readDeleteValues, runDeleteValues, schemaObject, tableName, type PoolRegistry } from '@connector-proxy/connector-postgres';
import { rowsAffectedText } from '../reference-answer.js';

/** `postgres_v2/DeleteValuesV2`: deletes the matching rows. */
export const deleteValuesV2 = defineCommand({
  name: 'DeleteValuesV2',
  description: 'Deletes the rows that match every where condition (every row without where). Answers the JSON text {"result": "<n> rows affected"}.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject('The conditions rows must meet: {"where"?: [["name", "=", "apple"], ["qty", "<", 3]]}. Without where, every row is deleted.'),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const deleted = await runDeleteValues(ctx, params.database_connection_str, readDeleteValues(params));
    return { body: rowsAffectedText(deleted) };
  },
});
