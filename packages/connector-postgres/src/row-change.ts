import type { CommandContext } from '@connector-proxy/sdk';
import type { PoolRegistry } from './pool-registry.js';
import { withConnection } from './pooled-connection.js';
import type { Statement } from './sql-builder.js';

/** An UpdateValues or DeleteValues call, read and checked. */
export interface RowChangePlan {
  /** The table name, quoted. */
  table: string;
  statement: Statement;
}

/** Runs an UPDATE or DELETE; answers how many rows it changed. `action` is e.g. `Updating table "t"`. */
export async function runRowChange(ctx: CommandContext<PoolRegistry>, connectionString: string, action: string, statement: Statement): Promise<number> {
  const result = await withConnection(ctx, { connectionString, action }, (client) => client.query(statement.text, statement.values));
  const rowCount = result.rowCount ?? 0;
  ctx.log.info(`${action}: row count ${rowCount}`);
  return rowCount;
}
