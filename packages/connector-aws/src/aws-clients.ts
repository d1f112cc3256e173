import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, NumberValue, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsClientSettings } from './aws-environment.js';
import { KeySchemaCache } from './key-schema.js';

/** The SDK classes the commands build requests (and exact numeric key values) with. */
export interface AwsSdkClasses {
  PutCommand: typeof PutCommand;
  QueryCommand: typeof QueryCommand;
  ScanCommand: typeof ScanCommand;
  PutObjectCommand: typeof PutObjectCommand;
  NumberValue: typeof NumberValue;
}

/** What the `aws` connector's commands share: the clients, and the SDK classes to use with them. */
export interface AwsClients {
  /** The low-level client, for table metadata. */
  dynamoClient: DynamoDBClient;
  /** Items in and out as plain JavaScript values. */
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
  keySchemas: KeySchemaCache;
  sdk: AwsSdkClasses;
}

/**
 * Loads the AWS SDK and makes the clients with the given settings (see `awsClientSettings`).
 *
 * @example
 * const clients = await loadAwsClients(awsClientSettings(env, 'DynamoDB', 30_000), awsClientSettings(env, 'S3', 30_000));
 */
export async function loadAwsClients(dynamoSettings: AwsClientSettings, s3Settings: AwsClientSettings): Promise<AwsClients> {
  // The SDK warns once per process that it will soon need Node 22; that is known and not
  // actionable per call. An operator's explicit setting wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [dynamodb, documents, s3] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('@aws-sdk/client-s3'),
  ]);
  const dynamoClient = new dynamodb.DynamoDBClient(dynamoSettings);
  return {
    dynamoClient,
    dynamo: documents.DynamoDBDocumentClient.from(dynamoClient, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
      unmarshallOptions: { wrapNumbers: false },
    }),
    s3: new s3.S3Client({
      ...s3Settings,
      // Custom endpoints (MinIO, LocalStack, s3rver) serve buckets as paths; AWS prefers host names.
      forcePathStyle: s3Settings.endpoint !== undefined,
      // Checksums only where S3 demands them: S3-compatible servers store the "aws-chunked"
      // framing of streamed checksums inside the object (silent corruption).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    keySchemas: new KeySchemaCache(dynamoClient, dynamodb.DescribeTableCommand),
    sdk: {
      PutCommand: documents.PutCommand,
      QueryCommand: documents.QueryCommand,
      ScanCommand: documents.ScanCommand,
      PutObjectCommand: s3.PutObjectCommand,
      NumberValue: documents.NumberValue,
    },
  };
}

/** Closes the clients' connection pools (the document client only wraps `dynamoClient`). */
export function closeAwsClients(clients: AwsClients): void {
  clients.dynamoClient.destroy();
  clients.s3.destroy();
}
