import { defineCommand, Type, type CommandContext } from '@connector-proxy/sdk';
import type { AwsConfig } from '../aws-config.js';
import { awsFailure } from '../aws-failure.js';
import { itemFromParameter } from '../item-data.js';

/** `aws/AddDynamoItem`: stores one item (replacing any item with the same key). */
export const addDynamoItem = defineCommand({
  name: 'AddDynamoItem',
  description: 'Puts an item (a JSON object) into a DynamoDB table, replacing any item with the same key.',
  parameters: {
    table_name: Type.String({ minLength: 1, description: 'Name of the DynamoDB table, e.g. orders' }),
    item_data: Type.Any({
      description: 'The item: an object of attribute names to values, its key attributes included, e.g. {"order_id": "o-1", "total": 12.5}',
    }),
  },
  async run({ table_name: table, item_data }, ctx: CommandContext<AwsConfig>) {
    const item = itemFromParameter(item_data);
    const { dynamo, sdk } = await ctx.config.clients();
    let httpStatus: number | undefined;
    try {
      const output = await dynamo.send(new sdk.PutCommand({ TableName: table, Item: item }), { abortSignal: ctx.signal });
      httpStatus = output.$metadata.httpStatusCode;
    } catch (error) {
      throw awsFailure(error, { service: 'DynamoDB', table });
    }
    ctx.log.info(`Put an item into DynamoDB table "${table}"`);
    return { body: { table_name: table, item }, httpStatus: httpStatus ?? 200 };
  },
});
