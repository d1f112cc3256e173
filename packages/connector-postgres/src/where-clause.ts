import type { BoundValues } from './bound-values.js';
import { quoteColumnName } from './identifiers.js';
import { readName, type Problems } from './schema-reading.js';

/** How an operator takes its value: one value, a list of values, or none. */
type Operand = 'value' | 'list' | 'none';

interface Operator {
  operand: Operand;
  /** The condition's SQL from the quoted column and the value's placeholder. */
  sql(column: string, placeholder: string): string;
}

const compare = (symbol: string): Operator => ({ operand: 'value', sql: (column, value) => `${column} ${symbol} ${value}` });

/**
 * The only operators a condition may use, by their normalised spelling (upper case, single
 * spaces). Their SQL is fixed here: nothing of the caller's operator text reaches the statement.
 */
const OPERATORS: ReadonlyMap<string, Operator> = new Map([
  ['=', compare('=')],
  ['!=', compare('<>')],
  ['<>', compare('<>')],
  ['<', compare('<')],
  ['<=', compare('<=')],
  ['>', compare('>')],
  ['>=', compare('>=')],
  ['LIKE', compare('LIKE')],
  ['ILIKE', compare('ILIKE')],
  ['NOT LIKE', compare('NOT LIKE')],
  ['NOT ILIKE', compare('NOT ILIKE')],
  // One array parameter: the list's length never changes the statement, and an empty list
  // matches nothing (IN) or everything (NOT IN) instead of being a syntax error.
  ['IN', { operand: 'list', sql: (column, list) => `${column} = ANY(${list})` }],
  ['NOT IN', { operand: 'list', sql: (column, list) => `${column} <> ALL(${list})` }],
  ['IS NULL', { operand: 'none', sql: (column) => `${column} IS NULL` }],
  ['IS NOT NULL', { operand: 'none', sql: (column) => `${column} IS NOT NULL` }],
]);

/** The operators, as listed in error messages. */
const OPERATOR_NAMES: readonly string[] = [...OPERATORS.keys()];

/** One `[column, operator, value]` condition, checked. */
export interface Condition {
  column: string;
  operator: Operator;
  value: unknown;
}

/**
 * `where`: an array of `[column, operator, value]` conditions, all of which must hold.
 * `IS NULL` and `IS NOT NULL` take no value (`[column, "IS NULL"]`); `IN` and `NOT IN` take an array.
 */
export function readWhere(value: unknown, path: string, problems: Problems): Condition[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(path, 'must be an array of [column, operator, value] conditions');
    return [];
  }
  return value.flatMap((item, index) => readCondition(item, `${path}[${index}]`, problems) ?? []);
}

function readCondition(item: unknown, path: string, problems: Problems): Condition | undefined {
  if (!Array.isArray(item) || item.length < 2 || item.length > 3) {
    problems.add(path, 'must be [column, operator, value], or [column, "IS NULL"]');
    return undefined;
  }
  const [rawColumn, rawOperator, value] = item as [unknown, unknown, unknown];
  const column = readName(rawColumn, `${path}[0]`, problems);
  const operator = typeof rawOperator === 'string' ? OPERATORS.get(rawOperator.trim().replace(/\s+/g, ' ').toUpperCase()) : undefined;
  if (operator === undefined) {
    problems.add(`${path}[1]`, `must be one of ${OPERATOR_NAMES.join(', ')}`);
    return undefined;
  }
  if (!operandFits(operator.operand, item.length, value)) {
    problems.add(path, operandRule(operator.operand));
    return undefined;
  }
  return column === undefined ? undefined : { column, operator, value };
}

function operandFits(operand: Operand, length: number, value: unknown): boolean {
  if (operand === 'none') return length === 2 || value === null;
  if (length !== 3) return false;
  return operand === 'list' ? Array.isArray(value) : true;
}

function operandRule(operand: Operand): string {
  if (operand === 'none') return 'takes no value: [column, "IS NULL"]';
  return operand === 'list' ? 'needs an array of values: [column, "IN", [1, 2]]' : 'needs a value: [column, operator, value]';
}

/** ` WHERE a = $1 AND b IS NULL`, or `''` without conditions. */
export function whereSql(conditions: readonly Condition[], bound: BoundValues): string {
  if (conditions.length === 0) return '';
  const parts = conditions.map(({ column, operator, value }) =>
    operator.sql(quoteColumnName(column), operator.operand === 'none' ? '' : bound.bind(value)),
  );
  return ` WHERE ${parts.join(' AND ')}`;
}
