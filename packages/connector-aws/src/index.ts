/**
 * The `aws` connector: DynamoDB items and S3 uploads. Credentials, region and endpoints come
 * from the proxy's environment (the standard `AWS_*` variables) or the AWS SDK's default chain.
 */
import { defineConnector } from '@connector-proxy/sdk';
import { AwsErrorCodes } from './errors.js';
import { setupAwsConfig, type AwsConfig } from './aws-config.js';
import { addDynamoItem } from './commands/add-dynamo-item.js';
import { queryDynamoTable } from './commands/query-dynamo-table.js';
import { scanDynamoTable } from './commands/scan-dynamo-table.js';
import { uploadFileData } from './commands/upload-file-data.js';

export { AwsErrorCodes } from './errors.js';
export type { AwsConfig };

export default defineConnector<AwsConfig>({
  name: 'aws',
  description: 'Amazon DynamoDB items and Amazon S3 uploads.',
  commands: [addDynamoItem, queryDynamoTable, scanDynamoTable, uploadFileData],
  errorCodes: Object.values(AwsErrorCodes),
  setup: setupAwsConfig,
  close: (config) => config.close(),
});
