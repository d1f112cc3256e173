import { BoundValues, MAX_BOUND_VALUES } from './bound-values.js';
import { columnDefinitionSql, type ColumnDefinition } from './column-definition.js';
import { quoteColumnName } from './identifiers.js';
import { whereSql, type Condition } from './where-clause.js';

/**
 * The statements the table commands run. Table names arrive already quoted (`readTableName`);
 * column names are quoted here; every value is a bound parameter.
 */
export interface Statement {
  text: string;
  values: unknown[];
}

export function createTableSql(table: string, columns: readonly ColumnDefinition[]): Statement {
  return { text: `CREATE TABLE ${table} (${columns.map(columnDefinitionSql).join(', ')})`, values: [] };
}

export function dropTableSql(table: string): Statement {
  return { text: `DROP TABLE ${table}`, values: [] };
}

/**
 * One multi-row INSERT per batch of rows, each batch as large as PostgreSQL's limit on bound
 * parameters allows (the caller runs several in one transaction).
 */
export function insertSql(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Statement[] {
  const columnList = columns.map(quoteColumnName).join(', ');
  const rowsPerStatement = Math.floor(MAX_BOUND_VALUES / columns.length);
  const statements: Statement[] = [];
  for (let first = 0; first < rows.length; first += rowsPerStatement) {
    const bound = new BoundValues();
    const tuples = rows
      .slice(first, first + rowsPerStatement)
      .map((row) => `(${row.map((value) => bound.bind(value)).join(', ')})`);
    statements.push({ text: `INSERT INTO ${table} (${columnList}) VALUES ${tuples.join(', ')}`, values: bound.values });
  }
  return statements;
}

/** `columns` undefined selects every column. */
export function selectSql(table: string, columns: readonly string[] | undefined, where: readonly Condition[]): Statement {
  const bound = new BoundValues();
  const columnList = columns === undefined ? '*' : columns.map(quoteColumnName).join(', ');
  return { text: `SELECT ${columnList} FROM ${table}${whereSql(where, bound)}`, values: bound.values };
}

export function updateSql(table: string, set: ReadonlyMap<string, unknown>, where: readonly Condition[]): Statement {
  const bound = new BoundValues();
  const assignments = [...set].map(([column, value]) => `${quoteColumnName(column)} = ${bound.bind(value)}`);
  return { text: `UPDATE ${table} SET ${assignments.join(', ')}${whereSql(where, bound)}`, values: bound.values };
}

export function deleteSql(table: string, where: readonly Condition[]): Statement {
  const bound = new BoundValues();
  return { text: `DELETE FROM ${table}${whereSql(where, bound)}`, values: bound.values };
}
