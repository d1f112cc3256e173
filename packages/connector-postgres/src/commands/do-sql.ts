import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import type pg from 'pg';
import { databaseConnectionStr, schemaObject } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { withConnection } from '../pooled-connection.js';
import { Problems, readFlag, readObject } from '../schema-reading.js';

/** What `postgres/DoSQL` answers, from the last statement of `sql`. */
export interface DoSqlBody {
  rows: Record<string, unknown>[];
  row_count: number;
  /** The statement's command tag, e.g. `SELECT`, `INSERT`, `CREATE`. */
  command: string | null;
}

/**
 * `postgres/DoSQL`: runs the workflow author's own SQL, as the connection string's user. The SQL
 * is theirs by design; `values` are bound to `$1`, `$2`... and never enter the text.
 */
export const doSql = defineCommand({
  name: 'DoSQL',
  description: 'Runs SQL with optional bound values ($1, $2...) and returns the rows of its last statement.',
  parameters: {
    database_connection_str: databaseConnectionStr,
    schema: schemaObject('The SQL and, optionally, the values bound to $1, $2..., e.g. {"sql": "SELECT * FROM orders WHERE qty > $1", "values": [2]}'),
  },
  async run(params, ctx: CommandContext<PoolRegistry>) {
    const problems = new Problems();
    const schema = readObject(params.schema, 'schema', ['sql', 'values', 'fetch_results'], problems) ?? {};
    const sql = readSql(schema.sql, problems);
    const values = readValues(schema.values, problems);
    // Accepted for the reference connector's workflows; rows are always returned.
    readFlag(schema.fetch_results, 'schema.fetch_results', problems);
    problems.throwIfAny();

    const action = 'Running the SQL statement';
    const outcome = await withConnection(ctx, { connectionString: params.database_connection_str, action, resetSession: true }, (client) =>
      // Without values the simple protocol runs several `;`-separated statements; with values
      // (extended protocol) the text must be one statement.
      client.query<Record<string, unknown>>(sql, values.length > 0 ? values : undefined),
    );
    const last = lastResult(outcome);
    const rowCount = last.rowCount ?? last.rows.length;
    ctx.log.info(`Ran the SQL statement (${last.command ?? 'no command'}): row count ${rowCount}`);
    const body: DoSqlBody = { rows: last.rows, row_count: rowCount, command: last.command ?? null };
    return { body };
  },
});

function readSql(value: unknown, problems: Problems): string {
  if (typeof value === 'string' && value.trim() !== '' && !value.includes('\0')) return value;
  problems.add('schema.sql', 'must be a non-empty SQL text without NUL characters');
  return '';
}

function readValues(value: unknown, problems: Problems): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  problems.add('schema.values', 'must be an array of values for $1, $2...');
  return [];
}

/** node-postgres answers a multi-statement text with one result per statement, though typed as one. */
function lastResult(outcome: pg.QueryResult<Record<string, unknown>>): pg.QueryResult<Record<string, unknown>> {
  const results = outcome as unknown as pg.QueryResult<Record<string, unknown>> | pg.QueryResult<Record<string, unknown>>[];
  return Array.isArray(results) ? (results.at(-1) ?? outcome) : results;
}
