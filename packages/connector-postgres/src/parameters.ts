import { Type } from '@connector-proxy/sdk';

/** The parameters the commands share, named as in the SpiffWorkflow reference connector. */

export const databaseConnectionStr = Type.String({
  minLength: 1,
  description:
    "A postgresql:// URI or libpq keyword=value pairs, e.g. \"host=db port=5432 dbname=app user=app password='s3 cr3t'\". Never echoed.",
});

export const tableName = Type.String({
  minLength: 1,
  description: 'A table name, or schema.table. Unquoted names fold to lower case as in SQL; "Quoted" names keep their case.',
});

/** `schema`: a JSON object whose shape each command documents. */
export function schemaObject(description: string) {
  return Type.Record(Type.String(), Type.Unknown(), { description });
}
