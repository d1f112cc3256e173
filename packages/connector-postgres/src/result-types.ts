import pg, { type CustomTypesConfig } from 'pg';

const { builtins } = pg.types;

/** PostgreSQL's own text, unchanged. */
const asText = (value: string): string => value;

/** A bigint (count(*), bigserial) as a JSON number while that is exact, else as its digits. */
function bigint(value: string): number | string {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

/**
 * How column values become JSON, where node-postgres' defaults would mislead a workflow:
 * - `date` and `timestamp` (without time zone) stay PostgreSQL's text: the defaults make a
 *   JavaScript Date in the proxy's local time zone, which shifts days and hours in JSON.
 * - `bytea` stays its `\x...` hex text instead of a Buffer serialised as an array of bytes.
 * - `bigint` is a number when exact (the default is always a string).
 * Everything else keeps node-postgres' parsing (`numeric` stays a string to keep its precision).
 */
export const resultTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    switch (oid) {
      case builtins.DATE:
      case builtins.TIMESTAMP:
      case builtins.BYTEA:
        return asText;
      case builtins.INT8:
        return bigint;
      default:
        return pg.types.getTypeParser(oid, format);
    }
  }) as CustomTypesConfig['getTypeParser'],
};
