import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { redactUrl, type SetupContext } from '@connector-proxy/sdk';
import { awsClientSettings, type AwsClientSettings } from './aws-environment.js';
import { KeySchemaCache } from './key-schema.js';

/** What the `aws` connector's commands share: clients made once at start. */
export interface AwsConfig {
  /** The low-level client, for table metadata. */
  dynamoClient: DynamoDBClient;
  /** Items in and out as plain JavaScript values. */
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
  keySchemas: KeySchemaCache;
}

/**
 * Makes the clients from the proxy's environment (see `awsClientSettings`).
 *
 * @example
 * const config = createAwsClients({ env: { AWS_REGION: 'us-east-1' }, settings: { httpTimeoutMs: 30_000 }, log });
 */
export function createAwsClients({ env, settings, log }: SetupContext): AwsConfig {
  // The SDK warns once per process that it will soon need Node 22; that is known and not
  // actionable per call. An operator's explicit setting wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dynamoSettings = awsClientSettings(env, 'DynamoDB', settings.httpTimeoutMs);
  const s3Settings = awsClientSettings(env, 'S3', settings.httpTimeoutMs);
  const dynamoClient = new DynamoDBClient(dynamoSettings);
  const s3 = new S3Client({
    ...s3Settings,
    // Custom endpoints (MinIO, LocalStack, s3rver) serve buckets as paths; AWS prefers host names.
    forcePathStyle: s3Settings.endpoint !== undefined,
    // Checksums only where S3 demands them: S3-compatible servers store the "aws-chunked"
    // framing of streamed checksums inside the object (silent corruption).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // Where the keys come from, never the keys (a field named after them would be redacted anyway).
  const keysFrom = dynamoSettings.credentials === undefined ? "the AWS SDK's default chain" : 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  log.info(`aws connector ready, credentials from ${keysFrom}`, {
    region: dynamoSettings.region ?? "(the AWS SDK's default chain)",
    dynamodb_endpoint: describeEndpoint(dynamoSettings),
    s3_endpoint: describeEndpoint(s3Settings),
  });
  return {
    dynamoClient,
    dynamo: DynamoDBDocumentClient.from(dynamoClient, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
      unmarshallOptions: { wrapNumbers: false },
    }),
    s3,
    keySchemas: new KeySchemaCache(dynamoClient),
  };
}

/** Closes the clients' connection pools (the document client only wraps `dynamoClient`). */
export function closeAwsClients(config: AwsConfig): void {
  config.dynamoClient.destroy();
  config.s3.destroy();
}

function describeEndpoint(settings: AwsClientSettings): string {
  return settings.endpoint === undefined ? 'AWS default' : redactUrl(settings.endpoint);
}
