import { readDropTable, runDropTable } from '@connector-proxy/connector-postgres';
import { okText } from '../reference-answer.js';
import { tableCommandV2 } from '../table-command.js';

/** `postgres_v2/DropTableV2`: `DROP TABLE IF EXISTS`, as the reference does. */
export const dropTableV2 = tableCommandV2({
  name: 'DropTableV2',
  description: 'Drops a table if there is one. Answers the JSON text {"result": "ok"} either way.',
  // The reference's DropTableV2 takes no schema; an empty one is accepted.
  schema: 'Not needed: leave it out or give {}.',
  schemaOptional: true,
  read: (params) => ({ ...readDropTable(params), ifExists: true }),
  run: runDropTable,
  answer: okText,
});
