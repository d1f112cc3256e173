import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, readSelectValues, runSelectValues, schemaObject, tableName, type PoolRegistry } from '@connector-proxy/connector-postgres';
import { rowsText } from '../reference-answer.js';

/** `postgres_v2/SelectValuesV2`: the matching rows, each a list of values in column order. */
export const selectValuesV2 = defineCommand({
  name: 'SelectValuesV2',
  description: 'Reads the rows that match every where condition. Answers the JSON text of a list of rows, each a list of values in the order of columns.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject(
      'The columns to read and the conditions rows must meet: {"columns": ["name", "qty"], "where"?: [["qty", ">", 2], ["name", "=", "apple"]]}. Leave columns out (or ["*"]) for every column.',
    ),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const rows = await runSelectValues(ctx, params.database_connection_str, readSelectValues(params), 'arrays');
    return { body: rowsText(rows) };
  },
});
