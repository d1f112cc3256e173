import { readInsertValues, runInsertValues } from '@connector-proxy/connector-postgres';
import { rowsAffectedText } from '../reference-answer.js';
import { tableCommandV2 } from '../table-command.js';

/** `postgres_v2/InsertValuesV2`: inserts rows, every value bound, all rows or none. */
export const insertValuesV2 = tableCommandV2({
  name: 'InsertValuesV2',
  description: 'Inserts rows into a table, all of them or none. Answers the JSON text {"result": "<n> rows affected"}.',
  schema: 'The columns and one list of values per row: {"columns": ["name", "qty"], "values": [["apple", 3], ["pear", 5]]}.',
  read: readInsertValues,
  run: runInsertValues,
  answer: rowsAffectedText,
});
