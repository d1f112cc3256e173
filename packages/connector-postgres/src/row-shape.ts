import type pg from 'pg';

/**
 * How rows come back: as objects keyed by column name (the `postgres` commands), or as arrays in
 * column order (`postgres_v2`, like psycopg2's `fetchall`; two columns of one name both survive).
 */
export type RowShape = 'objects' | 'arrays';

export type Rows<S extends RowShape> = S extends 'arrays' ? unknown[][] : Record<string, unknown>[];

/** One result of a statement, its rows in the asked shape. */
export interface ShapedResult<S extends RowShape> {
  rows: Rows<S>;
  /** The count in the command tag (`INSERT 0 3`, `SELECT 2`); `null` for statements without one (CREATE, SET). */
  rowCount: number | null;
  /** The command tag's verb, e.g. `SELECT`, `INSERT`, `CREATE`. */
  command: string | null;
}

/**
 * Runs `text` with `values` bound, rows in `shape`. Without values the simple protocol runs
 * several `;`-separated statements and this answers the last one's result; with values
 * (extended protocol) the text must be one statement.
 */
export async function queryShaped<S extends RowShape>(client: pg.PoolClient, text: string, values: readonly unknown[], shape: S): Promise<ShapedResult<S>> {
  const config: pg.QueryConfig = { text, values: values.length > 0 ? [...values] : undefined };
  const outcome: unknown = await (shape === 'arrays' ? client.query({ ...config, rowMode: 'array' }) : client.query(config));
  // node-postgres answers a multi-statement text with one result per statement, though typed as one.
  const results = (Array.isArray(outcome) ? outcome : [outcome]) as pg.QueryResult[];
  const last = results.at(-1);
  return { rows: (last?.rows ?? []) as Rows<S>, rowCount: last?.rowCount ?? null, command: last?.command ?? null };
}
