import { readUpdateValues, runUpdateValues } from '@connector-proxy/connector-postgres';
import { rowsAffectedText } from '../reference-answer.js';
import { tableCommandV2 } from '../table-command.js';

/** `postgres_v2/UpdateValuesV2`: sets columns of the matching rows, every value bound. */
export const updateValuesV2 = tableCommandV2({
  name: 'UpdateValuesV2',
  description: 'Sets columns of the rows that match every where condition (every row without where). Answers the JSON text {"result": "<n> rows affected"}.',
  schema: 'The new values and the conditions rows must meet: {"set": {"qty": 4}, "where"?: [["name", "=", "apple"]]}.',
  read: readUpdateValues,
  run: runUpdateValues,
  answer: rowsAffectedText,
});
