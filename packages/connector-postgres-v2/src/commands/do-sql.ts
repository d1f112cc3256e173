import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, readDoSql, runDoSql, schemaObject, type PoolRegistry } from '@connector-proxy/connector-postgres';
import { toPostgresPlaceholders } from '../psycopg-placeholders.js';
import { okText, rowsAffectedText, rowsText } from '../reference-answer.js';

/**
 * `postgres_v2/DoSQL`: the workflow author's own SQL, run as the connection string's user, with
 * `values` bound (psycopg2's `%s` placeholders, or PostgreSQL's `$1`...), never in the text.
 */
export const doSqlV2 = defineCommand({
  name: 'DoSQL',
  description:
    'Runs your SQL as the user of the connection string. With fetch_results, answers the JSON text of the rows of its last statement (lists of values); else {"result": "<n> rows affected"} or {"result": "ok"}.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    schema: schemaObject(
      'The SQL, the values for its placeholders and whether to answer rows: {"sql": "SELECT name FROM orders WHERE qty > %s", "values"?: [2], "fetch_results"?: true}. Placeholders are %s (%% for a literal %) or $1, $2...',
    ),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const plan = readDoSql(params);
    const sql = toPostgresPlaceholders(plan.sql, plan.values.length);
    const last = await runDoSql(ctx, params.database_connection_str, { ...plan, sql }, 'arrays');
    if (plan.fetchResults) return { body: rowsText(last.rows) };
    return { body: last.rowCount === null ? okText() : rowsAffectedText(last.rowCount) };
  },
});
