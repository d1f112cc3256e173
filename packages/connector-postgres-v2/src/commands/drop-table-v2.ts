import { defineCommand, Type, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, readDropTable, runDropTable, schemaObject, tableName, type PoolRegistry } from '@connector-proxy/connector-postgres';
import { okText } from '../reference-answer.js';

/** `postgres_v2/DropTableV2`: `DROP TABLE IF EXISTS`, as the reference does. */
export const dropTableV2 = defineCommand({
  name: 'DropTableV2',
  description: 'Drops a table if there is one. Answers the JSON text {"result": "ok"} either way.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    // The reference's DropTableV2 takes no schema; an empty one is accepted.
    schema: Type.Optional(schemaObject('Not needed: leave it out or give {}.')),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const plan = readDropTable(params);
    await runDropTable(ctx, params.database_connection_str, { ...plan, ifExists: true });
    return { body: okText() };
  },
});
