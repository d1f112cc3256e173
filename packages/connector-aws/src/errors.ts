import { commandError, type CommandError } from '@connector-proxy/sdk';

/**
 * The stable error codes of the `aws` connector. BPMN boundary events catch by these, so a
 * code never changes once released.
 */
export const AwsErrorCodes = {
  tableNotFound: 'DynamoTableNotFound',
  validation: 'DynamoValidationError',
  throttled: 'AwsThrottled',
  accessDenied: 'AwsAccessDenied',
  bucketNotFound: 'S3BucketNotFound',
  unreachable: 'AwsUnreachable',
  timeout: 'AwsTimeout',
  serviceError: 'AwsServiceError',
  requestFailed: 'AwsRequestFailed',
} as const;

/** The AWS service a call went to, as named in messages. */
export type AwsService = 'DynamoDB' | 'S3';

/** The DynamoDB table does not exist (in the configured region and account). */
export function dynamoTableNotFound(table: string, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.tableNotFound,
    httpStatus: 404,
    message: `DynamoDB table "${table}" was not found (check its name and the configured AWS region)`,
    cause,
  });
}

/** DynamoDB rejected the request as invalid, e.g. an item without the table's key attributes. */
export function dynamoValidationError(detail: string, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.validation,
    httpStatus: 400,
    message: `DynamoDB rejected the request: ${detail}`,
    cause,
  });
}

/** AWS asked us to slow down; a retry later may succeed. */
export function awsThrottled(service: AwsService, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.throttled,
    httpStatus: 429,
    message: `${service} is throttling requests (rate or provisioned throughput exceeded); retry later`,
    cause,
  });
}

/** The credentials are missing, unknown, or not allowed to do this. */
export function awsAccessDenied(service: AwsService, detail: string, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.accessDenied,
    httpStatus: 403,
    message: `${service} denied access: ${detail}`,
    cause,
  });
}

/** The S3 bucket does not exist. */
export function s3BucketNotFound(bucket: string, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.bucketNotFound,
    httpStatus: 404,
    message: `S3 bucket "${bucket}" does not exist`,
    cause,
  });
}

/** No connection could be made, or it was reset. */
export function awsUnreachable(service: AwsService, detail: string, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.unreachable,
    httpStatus: 502,
    message: `${service} could not be reached: ${detail}`,
    cause,
  });
}

/** AWS did not answer in time (the proxy's HTTP timeout or the call's deadline). */
export function awsTimeout(service: AwsService, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.timeout,
    httpStatus: 504,
    message: `${service} did not answer in time`,
    cause,
  });
}

/** AWS failed on its side (a 5xx other than throttling). */
export function awsServiceError(service: AwsService, status: number, detail: string, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.serviceError,
    httpStatus: 502,
    message: `${service} failed with status ${status}: ${detail}`,
    cause,
  });
}

/**
 * Any other failure. `httpStatus` is AWS's status when AWS answered; absent when the SDK failed
 * before sending (e.g. no region configured), which the engine treats as permanent.
 */
export function awsRequestFailed(service: AwsService, detail: string, httpStatus: number | undefined, cause: unknown): CommandError {
  return commandError({
    code: AwsErrorCodes.requestFailed,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    message: `${service} request failed: ${detail}`,
    cause,
  });
}
