import pg from 'pg';
import { quoteColumnName } from './identifiers.js';
import { readName, readObject, type JsonObject, type Problems } from './schema-reading.js';

/** A default value: a JSON scalar, written into the statement as an SQL literal. */
type DefaultValue = string | number | boolean | null;

/** One column of a CreateTable, checked. */
export interface ColumnDefinition {
  name: string;
  /** The type with its spaces normalised, e.g. `timestamp with time zone`. */
  type: string;
  constraints: readonly string[];
  /** Absent when the column has no default (`{ value: null }` is `DEFAULT NULL`). */
  default: { value: DefaultValue } | undefined;
}

const COLUMN_KEYS = ['name', 'type', 'constraints', 'default'];

// A type is words and numbers only: a single (possibly user-defined) type name with an optional
// (precision[, scale]), one of PostgreSQL's few multi-word type names, and array brackets.
// No quote, semicolon, comma outside the parentheses, or operator can get through.
const PRECISION = String.raw`\s*\(\s*\d+\s*\)`;
const TYPE_PATTERN = new RegExp(
  String.raw`^(?:` +
    [
      String.raw`(?:timestamp|time)(?:${PRECISION})?(?:\s+with(?:out)?\s+time\s+zone)?`,
      String.raw`double\s+precision`,
      String.raw`(?:character|bit)\s+varying(?:${PRECISION})?`,
      String.raw`[a-z_][a-z0-9_]*(?:\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))?`,
    ].join('|') +
    String.raw`)(?:\s*\[\s*\d*\s*\])*$`,
  'i',
);

/** The column constraints allowed, by their normalised spelling; each is its own SQL. */
const CONSTRAINTS = ['primary key', 'not null', 'null', 'unique'];

/**
 * The table's columns: `[{ "name": "id", "type": "integer", "constraints": ["primary key"] }, ...]`.
 */
export function readColumnDefinitions(value: unknown, path: string, problems: Problems): ColumnDefinition[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, 'must be a non-empty array of {"name", "type"} column definitions');
    return [];
  }
  return value.flatMap((item, index) => readColumn(item, `${path}[${index}]`, problems) ?? []);
}

function readColumn(item: unknown, path: string, problems: Problems): ColumnDefinition | undefined {
  const column = readObject(item, path, COLUMN_KEYS, problems);
  if (column === undefined) return undefined;
  const name = readName(column.name, `${path}.name`, problems);
  const type = readType(column.type, `${path}.type`, problems);
  const constraints = readConstraints(column.constraints, `${path}.constraints`, problems);
  const defaultValue = readDefault(column, `${path}.default`, problems);
  if (name === undefined || type === undefined || constraints === undefined) return undefined;
  return { name, type, constraints, default: defaultValue };
}

function readType(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value !== 'string' || !TYPE_PATTERN.test(value.trim())) {
    problems.add(path, 'must be a PostgreSQL type such as integer, text, varchar(255), numeric(10,2), timestamp with time zone or integer[]');
    return undefined;
  }
  return value.trim().replace(/\s+/g, ' ');
}

function readConstraints(value: unknown, path: string, problems: Problems): string[] | undefined {
  if (value === undefined || value === null) return [];
  const constraints = Array.isArray(value) ? value.map(normaliseConstraint) : [];
  if (!Array.isArray(value) || !constraints.every((constraint) => constraint !== undefined && CONSTRAINTS.includes(constraint))) {
    problems.add(path, `must be an array of ${CONSTRAINTS.map((constraint) => JSON.stringify(constraint)).join(', ')}`);
    return undefined;
  }
  return constraints as string[];
}

function normaliseConstraint(value: unknown): string | undefined {
  return typeof value === 'string' ? value.trim().replace(/\s+/g, ' ').toLowerCase() : undefined;
}

function readDefault(column: JsonObject, path: string, problems: Problems): ColumnDefinition['default'] {
  if (!('default' in column)) return undefined;
  const value = column.default;
  const scalar = value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  if (!scalar || (typeof value === 'string' && value.includes('\0'))) {
    problems.add(path, 'must be a string, a number, true, false or null');
    return undefined;
  }
  return { value };
}

/** `"name" type CONSTRAINTS DEFAULT literal`: the name quoted, the default a literal. */
export function columnDefinitionSql(column: ColumnDefinition): string {
  const parts = [quoteColumnName(column.name), column.type, ...column.constraints.map((constraint) => constraint.toUpperCase())];
  if (column.default !== undefined) parts.push(`DEFAULT ${literal(column.default.value)}`);
  return parts.join(' ');
}

/**
 * A default as an SQL literal. DDL takes no bound parameters, so this is the one place where a
 * value is written into a statement: only JSON scalars, strings escaped by node-postgres.
 */
function literal(value: DefaultValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return String(value);
  return pg.escapeLiteral(value);
}
