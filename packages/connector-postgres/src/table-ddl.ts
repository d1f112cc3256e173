import type { CommandContext } from '@connector-proxy/sdk';
import type { PoolRegistry } from './pool-registry.js';
import { withConnection } from './pooled-connection.js';
import { sqlstateOf } from './postgres-failure.js';
import type { Statement } from './sql-builder.js';

/**
 * Runs a CREATE or DROP TABLE. With `tolerated` (the SQLSTATE of "the table is already there" or
 * "there is no such table"), that failure answers `false` instead of failing the call: the
 * `if_not_exists` / `if_exists` of the commands. `action` is e.g. `Creating table "t"`.
 */
export function runTableDdl(
  ctx: CommandContext<PoolRegistry>,
  connectionString: string,
  action: string,
  statement: Statement,
  tolerated: string | undefined,
): Promise<boolean> {
  return withConnection(ctx, { connectionString, action }, async (client) => {
    try {
      await client.query(statement.text);
      return true;
    } catch (error) {
      if (tolerated !== undefined && sqlstateOf(error) === tolerated) return false;
      throw error;
    }
  });
}
