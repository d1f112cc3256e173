import { readCreateTable, runCreateTable } from '@connector-proxy/connector-postgres';
import { okText } from '../reference-answer.js';
import { tableCommandV2 } from '../table-command.js';

/** `postgres_v2/CreateTableV2`: `CREATE TABLE IF NOT EXISTS`, as the reference does. */
export const createTableV2 = tableCommandV2({
  name: 'CreateTableV2',
  description:
    'Creates a table with the given columns unless a table of that name exists. Answers the JSON text {"result": "ok"} either way.',
  schema:
    'The columns: {"column_definitions": [{"name": "id", "type": "integer", "constraints"?: ["primary key"]}, {"name": "name", "type": "varchar(100)"}]}. Types are PostgreSQL types; names are always quoted.',
  read: (params) => ({ ...readCreateTable(params), ifNotExists: true }),
  run: runCreateTable,
  answer: okText,
});
