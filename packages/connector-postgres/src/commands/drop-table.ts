import { defineCommand, Type, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { Problems, readFlag, readObject, readTableName } from '../schema-reading.js';
import { dropTableSql, type Statement } from '../sql-builder.js';
import { runTableDdl } from '../table-ddl.js';
import type { TableParameters } from '../table-parameters.js';

const TABLE_NOT_FOUND = '42P01';

/** What `postgres/DropTable` answers. */
export interface DropTableBody {
  table_name: string;
  /** `false` only with `if_exists` when there was no such table. */
  dropped: boolean;
}

/** A DropTable call, read and checked. */
export interface DropTablePlan {
  /** The table name, quoted. */
  table: string;
  statement: Statement;
  ifExists: boolean;
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
    const dropped = await runDropTable(ctx, params.database_connection_str, readDropTable(params));
    const body: DropTableBody = { table_name: params.table_name, dropped };
    return { body };
  },
});

/** Reads `table_name` and the optional `schema` (`if_exists`); throws `invalid_parameters`. */
export function readDropTable(params: TableParameters): DropTablePlan {
  const problems = new Problems();
  const table = readTableName(params.table_name, problems);
  const schema = params.schema === undefined ? {} : (readObject(params.schema, 'schema', ['if_exists'], problems) ?? {});
  const ifExists = readFlag(schema.if_exists, 'schema.if_exists', problems);
  problems.throwIfAny();
  return { table, statement: dropTableSql(table), ifExists };
}

/** Drops the table; answers `false` when there was none and the plan allows that. */
export async function runDropTable(ctx: CommandContext<PoolRegistry>, connectionString: string, plan: DropTablePlan): Promise<boolean> {
  const { table, statement, ifExists } = plan;
  const dropped = await runTableDdl(ctx, connectionString, `Dropping table ${table}`, statement, ifExists ? TABLE_NOT_FOUND : undefined);
  ctx.log.info(dropped ? `Dropped table ${table}` : `Table ${table} did not exist`);
  return dropped;
}
