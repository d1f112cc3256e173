import { readSelectValues, runSelectValues } from '@connector-proxy/connector-postgres';
import { rowsText } from '../reference-answer.js';
import { tableCommandV2 } from '../table-command.js';

/** `postgres_v2/SelectValuesV2`: the matching rows, each a list of values in column order. */
export const selectValuesV2 = tableCommandV2({
  name: 'SelectValuesV2',
  description: 'Reads the rows that match every where condition. Answers the JSON text of a list of rows, each a list of values in the order of columns.',
  schema:
    'The columns to read and the conditions rows must meet: {"columns": ["name", "qty"], "where"?: [["qty", ">", 2], ["name", "=", "apple"]]}. Leave columns out (or ["*"]) for every column.',
  read: readSelectValues,
  run: (ctx, connectionString, plan) => runSelectValues(ctx, connectionString, plan, 'arrays'),
  answer: rowsText,
});
