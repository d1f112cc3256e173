import { defineCommand, Type, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { withConnection } from '../pooled-connection.js';
import { sqlstateOf } from '../postgres-failure.js';
import { Problems, readFlag, readObject, readTableName } from '../schema-reading.js';
import { dropTableSql } from '../sql-builder.js';

const TABLE_NOT_FOUND = '42P01';

/** What `postgres/DropTable` answers. */
export interface DropTableBody {
  table_name: string;
  /** `false` only with `if_exists` when there was no such table. */
  dropped: boolean;
}

/** `postgres/DropTable`: `DROP TABLE`. */
export const dropTable = defineCommand({
  name: 'DropTable',
  description: 'Drops a table; fails with PostgresTableNotFound when there is none (unless if_exists).',
  parameters: {
    database_connection_str: databaseConnectionStr,
    table_name: tableName,
    schema: Type.Optional(schemaObject('Options: {"if_exists": true} succeeds when there is no such table; without it (the default) the table must exist')),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const problems = new Problems();
    const table = readTableName(params.table_name, problems);
    const schema = params.schema === undefined ? {} : (readObject(params.schema, 'schema', ['if_exists'], problems) ?? {});
    const ifExists = readFlag(schema.if_exists, 'schema.if_exists', problems);
    problems.throwIfAny();

    const statement = dropTableSql(table);
    const dropped = await withConnection(ctx, { connectionString: params.database_connection_str, action: `Dropping table ${table}` }, async (client) => {
      try {
        await client.query(statement.text);
        return true;
      } catch (error) {
        if (ifExists && sqlstateOf(error) === TABLE_NOT_FOUND) return false;
        throw error;
      }
    });
    ctx.log.info(dropped ? `Dropped table ${table}` : `Table ${table} did not exist`);
    const body: DropTableBody = { table_name: params.table_name, dropped };
    return { body };
  },
});
