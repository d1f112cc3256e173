import { defineCommand, Type, type CommandContext } from '@connector-proxy/sdk';
import type { AwsConfig } from '../aws-config.js';
import { readItemPages } from '../item-pages.js';

/** `aws/ScanDynamoTable`: every item of a table (or the first `limit`). */
export const scanDynamoTable = defineCommand({
  name: 'ScanDynamoTable',
  description: 'Reads all items of a DynamoDB table, page after page, or only the first `limit` items.',
  parameters: {
    table_name: Type.String({ minLength: 1, description: 'Name of the DynamoDB table, e.g. orders' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, description: 'Stop after this many items (1 or more); default all' })),
  },
  async run({ table_name: table, limit }, ctx: CommandContext<AwsConfig>) {
    const { dynamo, sdk } = await ctx.config.clients();
    return readItemPages(ctx, 'Scan', table, limit, (startKey, pageLimit) =>
      dynamo.send(new sdk.ScanCommand({ TableName: table, ExclusiveStartKey: startKey, Limit: pageLimit }), { abortSignal: ctx.signal }));
  },
});
