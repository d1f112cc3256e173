import { defineCommand, Type, type Command, type CommandContext } from '@connector-proxy/sdk';
import { databaseConnectionStr, schemaObject, tableName, type PoolRegistry, type TableParameters } from '@connector-proxy/connector-postgres';

/** What sets one `postgres_v2/*` table command apart from the others. */
export interface TableCommandV2<Plan, Result> {
  name: string;
  description: string;
  /** What `schema` holds, in words with an example (listed in `/v1/commands`). */
  schema: string;
  /** True when the command needs no `schema` (DropTableV2). */
  schemaOptional?: true;
  /** connector-postgres's reader: checks the call into a plan, or throws `invalid_parameters`. */
  read(params: TableParameters): Plan;
  /** connector-postgres's runner of that plan. */
  run(ctx: CommandContext<PoolRegistry>, connectionString: string, plan: Plan): Promise<Result>;
  /** The reference connector's JSON text for the result. */
  answer(result: Result): string;
}

/**
 * A `postgres_v2/*` command taking `database_connection_str`, `table_name` and `schema`: every
 * table command of the reference reads its call, runs it and answers JSON text the same way, so
 * each command file names only its parts.
 */
export function tableCommandV2<Plan, Result>(spec: TableCommandV2<Plan, Result>): Command<PoolRegistry> {
  const schema = schemaObject(spec.schema);
  return defineCommand({
    name: spec.name,
    description: spec.description,
    parameters: { database_connection_str: databaseConnectionStr, table_name: tableName, schema: spec.schemaOptional ? Type.Optional(schema) : schema },
    async run(params, ctx: CommandContext<PoolRegistry>) {
      const result = await spec.run(ctx, params.database_connection_str, spec.read(params));
      return { body: spec.answer(result) };
    },
  });
}
