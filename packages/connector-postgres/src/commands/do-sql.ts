import { defineCommand, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject } from '../parameters.js';
import type { PoolRegistry } from '../pool-registry.js';
import { withConnection } from '../pooled-connection.js';
import { queryShaped, type RowShape, type ShapedResult } from '../row-shape.js';
import { Problems, readFlag, readObject } from '../schema-reading.js';

/** What `postgres/DoSQL` answers, from the last statement of `sql`. */
export interface DoSqlBody {
  rows: Record<string, unknown>[];
  row_count: number;
  /** The statement's command tag, e.g. `SELECT`, `INSERT`, `CREATE`. */
  command: string | null;
}

/** A DoSQL call, read and checked. */
export interface DoSqlPlan {
  sql: string;
  /** Bound to the placeholders of `sql`; never part of its text. */
  values: unknown[];
  /** `fetch_results`: the reference connector answers rows only when it is set. */
  fetchResults: boolean;
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
    // `fetch_results` is accepted for the reference connector's workflows; rows are always returned.
    const last = await runDoSql(ctx, params.database_connection_str, readDoSql(params), 'objects');
    const body: DoSqlBody = { rows: last.rows, row_count: last.rowCount ?? last.rows.length, command: last.command };
    return { body };
  },
});

/** Reads `schema` (`sql`, `values`, `fetch_results`); throws `invalid_parameters`. */
export function readDoSql(params: { schema: Record<string, unknown> }): DoSqlPlan {
  const problems = new Problems();
  const schema = readObject(params.schema, 'schema', ['sql', 'values', 'fetch_results'], problems) ?? {};
  const sql = readSql(schema.sql, problems);
  const values = readValues(schema.values, problems);
  const fetchResults = readFlag(schema.fetch_results, 'schema.fetch_results', problems);
  problems.throwIfAny();
  return { sql, values, fetchResults };
}

/** Runs the SQL (in a session reset before the connection's reuse); answers its last statement's result. */
export async function runDoSql<S extends RowShape>(ctx: CommandContext<PoolRegistry>, connectionString: string, plan: DoSqlPlan, shape: S): Promise<ShapedResult<S>> {
  const use = { connectionString, action: 'Running the SQL statement', resetSession: true };
  const last = await withConnection(ctx, use, (client) => queryShaped(client, plan.sql, plan.values, shape));
  ctx.log.info(`Ran the SQL statement (${last.command ?? 'no command'}): row count ${last.rowCount ?? last.rows.length}`);
  return last;
}

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
