import type { NumberValue } from '@aws-sdk/lib-dynamodb';
import { defineCommand, invalidParameters, isCommandError, Type, type CommandContext } from '@connector-proxy/sdk';
import type { AwsConfig } from '../aws-config.js';
import { AwsErrorCodes } from '../errors.js';
import { readItemPages } from '../item-pages.js';
import { keyValue, type TableKeys } from '../key-schema.js';

/** `aws/QueryDynamoTable`: the items with a partition key value (and a sort key value, if given). */
export const queryDynamoTable = defineCommand({
  name: 'QueryDynamoTable',
  description: 'Reads the items of a DynamoDB table that have the given partition key value (and sort key value, when given).',
  parameters: {
    table_name: Type.String({ minLength: 1, description: 'Name of the DynamoDB table, e.g. orders' }),
    partition_key: Type.String({ minLength: 1, description: 'The partition key value to match, as text, e.g. ada; a numeric key takes its number as text, e.g. "2024"' }),
    sort_key: Type.Optional(Type.String({ minLength: 1, description: 'The sort key value to match, as text; without it the items of every sort key are returned' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, description: 'Return at most this many items (1 or more); default all' })),
  },
  async run({ table_name: table, partition_key, sort_key, limit }, ctx: CommandContext<AwsConfig>) {
    const { dynamo, keySchemas, sdk } = await ctx.config.clients();
    const keys = await keySchemas.keysOf(table, ctx.signal);
    const condition = keyCondition(keys, partition_key, sort_key, sdk.NumberValue);
    try {
      return await readItemPages(ctx, 'Query', table, limit, (startKey, pageLimit) =>
        dynamo.send(new sdk.QueryCommand({ TableName: table, ...condition, ExclusiveStartKey: startKey, Limit: pageLimit }), { abortSignal: ctx.signal }));
    } catch (error) {
      // The table may have been recreated with other keys since they were cached.
      if (isCommandError(error) && (error.code === AwsErrorCodes.validation || error.code === AwsErrorCodes.tableNotFound)) {
        keySchemas.forget(table);
      }
      throw error;
    }
  },
});

/** `#pk = :pk [AND #sk = :sk]`, with names and values bound so no attribute name can clash with a reserved word. */
function keyCondition(keys: TableKeys, partitionKey: string, sortKey: string | undefined, numberValue: typeof NumberValue) {
  const names: Record<string, string> = { '#pk': keys.partition.name };
  const values: Record<string, unknown> = { ':pk': keyValue(keys.partition, partitionKey, 'partition_key', numberValue) };
  let expression = '#pk = :pk';
  if (sortKey !== undefined) {
    if (keys.sort === undefined) {
      throw invalidParameters([{ parameter: 'sort_key', message: `was given but the table has no sort key (its key is "${keys.partition.name}" alone)` }]);
    }
    names['#sk'] = keys.sort.name;
    values[':sk'] = keyValue(keys.sort, sortKey, 'sort_key', numberValue);
    expression += ' AND #sk = :sk';
  }
  return { KeyConditionExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}
