import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, readUpdateValues, runUpdateValues, schemaObject, tableName, type PoolRegistry } from '@connector-proxy/connector-postgres';
import { rowsAffectedText } from '../reference-answer.js';

/** `postgres_v2/UpdateValuesV2`: sets columns of the matching rows, every value bound. */
export const updateValuesV2 = defineCommand({
  name: 'UpdateValuesV2',
  description: 'Sets columns of the rows that match every where condition (every row without where). Answers the JSON text {"result": "<n> rows affected"}.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject('The new values and the conditions rows must meet: {"set": {"qty": 4}, "where"?: [["name", "=", "apple"]]}.'),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const updated = await runUpdateValues(ctx, params.database_connection_str, readUpdateValues(params));
    return { body: rowsAffectedText(updated) };
  },
});
