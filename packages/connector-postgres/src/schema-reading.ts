import { invalidParameters, type ParameterProblem } from '@connector-proxy/sdk';
import { quoteTableName } from './identifiers.js';

/**
 * Every problem found in a call's parameters, so that one `invalid_parameters` answer names
 * them all instead of one per attempt. The `read*` functions add to it and return a harmless
 * stand-in (`''`, `[]`) for what they could not read: callers throw before using any.
 */
export class Problems {
  readonly #list: ParameterProblem[] = [];

  add(parameter: string, message: string): void {
    this.#list.push({ parameter, message });
  }

  /** Throws `invalid_parameters` listing every problem, when there is one. */
  throwIfAny(): void {
    if (this.#list.length > 0) throw invalidParameters(this.#list);
  }
}

/** A JSON object with string keys. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` as an object that has only `allowed` keys. Unknown keys are refused, not ignored: a
 * misspelt `where` must not turn a delete of some rows into a delete of every row.
 */
export function readObject(value: unknown, path: string, allowed: readonly string[], problems: Problems): JsonObject | undefined {
  if (!isJsonObject(value)) {
    problems.add(path, 'must be a JSON object');
    return undefined;
  }
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    problems.add(path, `has unknown keys ${unknown.map((key) => JSON.stringify(key)).join(', ')}; allowed: ${allowed.join(', ')}`);
  }
  return value;
}

/** A non-empty name without NUL characters (PostgreSQL's protocol ends a string at NUL). */
export function readName(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    problems.add(path, 'must be a non-empty name without NUL characters');
    return undefined;
  }
  return value;
}

/** A non-empty array of names; the valid ones after adding a problem for each other. */
export function readNames(value: unknown, path: string, problems: Problems): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, 'must be a non-empty array of column names');
    return [];
  }
  return value.flatMap((item, index) => readName(item, `${path}[${index}]`, problems) ?? []);
}

/** An optional boolean flag; absent or null is `false`. */
export function readFlag(value: unknown, path: string, problems: Problems): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') problems.add(path, 'must be true or false');
  return value === true;
}

/** `table_name` (`table` or `schema.table`) as quoted SQL; `''` after adding a problem. */
export function readTableName(value: string, problems: Problems): string {
  const quoted = value.includes('\0') ? undefined : quoteTableName(value);
  if (quoted === undefined) problems.add('table_name', 'must be a table name or schema.table, without NUL characters');
  return quoted ?? '';
}
