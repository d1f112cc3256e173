/**
 * The `postgres_v2` connector: the ids of SpiffWorkflow's connector-postgres-v2
 * (`postgres_v2/CreateTableV2`, `InsertValuesV2`, `SelectValuesV2`, `UpdateValuesV2`,
 * `DeleteValuesV2`, `DropTableV2`, `DoSQL`), answering as it does: `command_response.body` is the
 * JSON text of the result. Reading, quoting, binding, pools, egress, timeouts and error codes are
 * connector-postgres's own; `postgres/*` stays the recommended form for new workflows.
 */
import { defineConnector, SdkErrorCodes } from '@connector-proxy/sdk';
import { openPools, PostgresErrorCodes, type PoolRegistry } from '@connector-proxy/connector-postgres';
import { createTableV2 } from './commands/create-table-v2.js';
import { deleteValuesV2 } from './commands/delete-values-v2.js';
import { doSqlV2 } from './commands/do-sql.js';
import { dropTableV2 } from './commands/drop-table-v2.js';
import { insertValuesV2 } from './commands/insert-values-v2.js';
import { selectValuesV2 } from './commands/select-values-v2.js';
import { updateValuesV2 } from './commands/update-values-v2.js';

export default defineConnector<PoolRegistry>({
  name: 'postgres_v2',
  description:
    'The commands of SpiffWorkflow\'s connector-postgres-v2, for process models written for it: tables created, filled, read, changed and dropped, and SQL run, each answered as JSON text.',
  commands: [createTableV2, dropTableV2, insertValuesV2, selectValuesV2, updateValuesV2, deleteValuesV2, doSqlV2],
  // connector-postgres's codes: the reading, running and failures are its own.
  errorCodes: [...Object.values(PostgresErrorCodes), SdkErrorCodes.egressDenied],
  setup: openPools,
  close: (pools) => pools.close(),
});
