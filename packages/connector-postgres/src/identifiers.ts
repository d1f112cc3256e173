/**
 * Table and column names become SQL only through {@link quoteIdentifier}: always double-quoted,
 * inner double quotes doubled. So a name is only ever a name, whatever characters it holds.
 */

// `"Exact Name"` with inner quotes doubled: PostgreSQL's own quoted form, taken exactly.
const QUOTED_NAME = /^"((?:[^"]|"")+)"$/;
// What PostgreSQL accepts unquoted (and folds to lower case).
const PLAIN_NAME = /^[\p{L}_][\p{L}\p{N}_$]*$/u;
// `name` or `schema.name`; each part may be quoted, and a quoted part may contain dots.
const QUALIFIED_NAME = /^("(?:[^"]|"")+"|[^.]+)(?:\.("(?:[^"]|"")+"|[^.]+))?$/;

/**
 * The name PostgreSQL means by `text`, as if it were written in SQL, except that a part SQL
 * could not take unquoted is taken literally instead of being an error:
 * - `Orders` is `orders` (unquoted names fold to lower case, as in SQL and in the reference connector);
 * - `"Orders"` is `Orders` (the quoted form keeps case);
 * - `order lines`, `naïve`, `x"; DROP TABLE y; --` are those exact characters.
 */
export function identifierName(text: string): string {
  const quoted = QUOTED_NAME.exec(text);
  if (quoted?.[1] !== undefined) return quoted[1].replaceAll('""', '"');
  // PostgreSQL folds only ASCII letters of an unquoted name.
  return PLAIN_NAME.test(text) ? text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) : text;
}

/**
 * A name as an SQL identifier: double-quoted, inner double quotes doubled.
 *
 * @example
 * quoteIdentifier('x"; DROP TABLE y; --') // '"x""; DROP TABLE y; --"'
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A column name (never split at dots) as SQL. */
export function quoteColumnName(text: string): string {
  return quoteIdentifier(identifierName(text));
}

/**
 * A table name, `table` or `schema.table`, as SQL; `undefined` when it has more parts or an
 * empty one.
 *
 * @example
 * quoteTableName('Sales.Orders') // '"sales"."orders"'
 */
export function quoteTableName(text: string): string | undefined {
  const parts = QUALIFIED_NAME.exec(text);
  if (parts === null) return undefined;
  return parts
    .slice(1)
    .filter((part): part is string => part !== undefined)
    .map((part) => quoteIdentifier(identifierName(part)))
    .join('.');
}
