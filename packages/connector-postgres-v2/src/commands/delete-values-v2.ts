import { readDeleteValues, runDeleteValues } from '@connector-proxy/connector-postgres';
import { rowsAffectedText } from '../reference-answer.js';
import { tableCommandV2 } from '../table-command.js';

/** `postgres_v2/DeleteValuesV2`: deletes the matching rows. */
export const deleteValuesV2 = tableCommandV2({
  name: 'DeleteValuesV2',
  description: 'Deletes the rows that match every where condition (every row without where). Answers the JSON text {"result": "<n> rows affected"}.',
  schema: 'The conditions rows must meet: {"where"?: [["name", "=", "apple"], ["qty", "<", 3]]}. Without where, every row is deleted.',
  read: readDeleteValues,
  run: runDeleteValues,
  answer: rowsAffectedText,
});
