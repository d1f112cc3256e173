import { invalidParameters } from '@connector-proxy/sdk';

const PSYCOPG_PLACEHOLDER = /%[s%]/g;

/**
 * The reference hands `sql` and `values` to psycopg2, whose placeholders are `%s` (`%%` standing
 * for one `%`), so that is what its scripts say; PostgreSQL's own are `$1`, `$2`... With values,
 * a text holding `%s` is read as psycopg2 reads it (every `%s`, in order, is the next value;
 * `%%` is `%`); any other text is PostgreSQL's own and is taken as it is. Throws
 * `invalid_parameters` when the `%s` and the values differ in number.
 *
 * @example
 * toPostgresPlaceholders("SELECT * FROM t WHERE a = %s AND b LIKE 'x%%'", 1) // "SELECT * FROM t WHERE a = $1 AND b LIKE 'x%'"
 */
export function toPostgresPlaceholders(sql: string, valueCount: number): string {
  if (valueCount === 0 || !sql.includes('%s')) return sql;
  let placeholders = 0;
  const text = sql.replace(PSYCOPG_PLACEHOLDER, (match) => (match === '%%' ? '%' : `$${++placeholders}`));
  if (placeholders !== valueCount) {
    throw invalidParameters([{ parameter: 'schema.values', message: `has ${valueCount} values for the ${placeholders} %s placeholders of schema.sql` }]);
  }
  return text;
}
