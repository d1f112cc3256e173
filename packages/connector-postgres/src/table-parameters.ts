/** The parameters every table command takes; `schema` is checked by each command's reader. */
export interface TableParameters {
  table_name: string;
  schema?: Record<string, unknown>;
}
