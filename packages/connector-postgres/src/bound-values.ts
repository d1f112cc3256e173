/**
 * The values of one statement. Values never enter the SQL text: each becomes a `$n`
 * placeholder and travels separately, as a bound parameter.
 */
export class BoundValues {
  readonly values: unknown[] = [];

  /** Adds a value and answers its placeholder, e.g. `$3`. */
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The most bound parameters PostgreSQL's protocol takes in one statement. */
export const MAX_BOUND_VALUES = 65_535;
