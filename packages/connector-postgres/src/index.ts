/**
 * The PostgreSQL connector: `postgres/CreateTable`, `DropTable`, `InsertValues`,
 * `SelectValues`, `UpdateValues`, `DeleteValues` and `DoSQL`. Setup makes one registry of
 * bounded connection pools (one per connection string); close ends them all.
 */
import { defineConnector, SdkErrorCodes } from '@connector-proxy/sdk';
import { PostgresErrorCodes } from './errors.js';
import { createTable } from './commands/create-table.js';
import { deleteValues } from './commands/delete-values.js';
import { doSql } from './commands/do-sql.js';
import { dropTable } from './commands/drop-table.js';
import { insertValues } from './commands/insert-values.js';
import { selectValues } from './commands/select-values.js';
import { updateValues } from './commands/update-values.js';
import { openPools, type PoolRegistry } from './pool-registry.js';

export default defineConnector<PoolRegistry>({
  name: 'postgres',
  description: 'Creates, fills, reads, changes and drops PostgreSQL tables, and runs SQL.',
  commands: [createTable, dropTable, insertValues, selectValues, updateValues, deleteValues, doSql],
  // The egress policy's code reaches callers through the pool's connection lookup.
  errorCodes: [...Object.values(PostgresErrorCodes), SdkErrorCodes.egressDenied],
  setup: openPools,
  close: (pools) => pools.close(),
});

export { PostgresErrorCodes } from './errors.js';
export { PostgresEnvironment } from './postgres-settings.js';
export { parseConnectionString, type ConnectionTarget } from './connection-string.js';
export { identifierName, quoteIdentifier, quoteTableName } from './identifiers.js';
export { MAX_CONNECTIONS_PER_POOL } from './pool-registry.js';
export type { CreateTableBody } from './commands/create-table.js';
export type { DropTableBody } from './commands/drop-table.js';
export type { RowCountBody } from './commands/insert-values.js';
export type { SelectValuesBody } from './commands/select-values.js';
export type { DoSqlBody } from './commands/do-sql.js';

/*
 * Building blocks for @connector-proxy/connector-postgres-v2, which serves the same commands under
 * the reference's `postgres_v2/...` ids and answers in that connector's shape. Each command's
 * reader checks a call's parameters (throwing `invalid_parameters`) into a plan; its runner runs
 * the plan on the pool of the connection string, with this package's quoting, bound values,
 * egress policy, timeouts and error codes.
 */
export { openPools, type PoolRegistry } from './pool-registry.js';
export { databaseConnectionStr, schemaObject, tableName } from './parameters.js';
export type { RowShape, Rows, ShapedResult } from './row-shape.js';
export type { TableParameters } from './table-parameters.js';
export { readCreateTable, runCreateTable, type CreateTablePlan } from './commands/create-table.js';
export { readDropTable, runDropTable, type DropTablePlan } from './commands/drop-table.js';
export { readInsertValues, runInsertValues, type InsertValuesPlan } from './commands/insert-values.js';
export { readSelectValues, runSelectValues, type SelectValuesPlan } from './commands/select-values.js';
export { readUpdateValues, runUpdateValues } from './commands/update-values.js';
export { readDeleteValues, runDeleteValues } from './commands/delete-values.js';
export type { RowChangePlan } from './row-change.js';
export { readDoSql, runDoSql, type DoSqlPlan } from './commands/do-sql.js';
