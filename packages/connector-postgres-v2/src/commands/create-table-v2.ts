import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, readCreateTable, runCreateTable, schemaObject, tableName, type PoolRegistry } from '@connector-proxy/connector-postgres';
import { okText } from '../reference-answer.js';

/** `postgres_v2/CreateTableV2`: `CREATE TABLE IF NOT EXISTS`, as the reference does. */
export const createTableV2 = defineCommand({
  name: 'CreateTableV2',
  description:
    'Creates a table with the given columns unless a table of that name exists. Answers the JSON text {"result": "ok"} either way.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: schemaObject(
      'The columns: {"column_definitions": [{"name": "id", "type": "integer", "constraints"?: ["primary key"]}, {"name": "name", "type": "varchar(100)"}]}. Types are PostgreSQL types; names are always quoted.',
    ),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const plan = readCreateTable(params);
    await runCreateTable(ctx, params.database_connection_str, { ...plan, ifNotExists: true });
    return { body: okText() };
  },
});
