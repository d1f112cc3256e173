import { isCommandError, networkFailure, type CommandError, type NetworkFailureKind } from '@connector-proxy/sdk';
import {
  awsAccessDenied,
  awsRequestFailed,
  awsServiceError,
  awsThrottled,
  awsTimeout,
  awsUnreachable,
  dynamoTableNotFound,
  dynamoValidationError,
  s3BucketNotFound,
  type AwsService,
} from './errors.js';

/** What a failed call was about, so the error can name it. */
export interface AwsTarget {
  service: AwsService;
  table?: string;
  bucket?: string;
}

// Errors are recognised by their `name` / `code` / `$metadata`, never `instanceof`: the SDK's
// clients may come from different copies of @smithy packages. What a socket's code means is the
// SDK's networkFailure; these kinds of it mean no connection to the endpoint.
const UNREACHABLE_KINDS: ReadonlySet<NetworkFailureKind> = new Set(['refused', 'unreachable', 'reset', 'dns', 'tls']);
const THROTTLED_NAMES = new Set([
  'ProvisionedThroughputExceededException', 'ThrottlingException', 'Throttling', 'SlowDown',
  'RequestLimitExceeded', 'TooManyRequestsException', 'LimitExceededException',
]);
const ACCESS_DENIED_NAMES = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignature',
  'InvalidSignatureException', 'SignatureDoesNotMatch', 'InvalidAccessKeyId', 'InvalidClientTokenId',
  'ExpiredToken', 'ExpiredTokenException', 'MissingAuthenticationToken', 'IncompleteSignature',
  'IncompleteSignatureException', 'CredentialsProviderError',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);

// An access key id is not a secret by itself, but it identifies the account: never echo one.
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g;

interface ErrorFacts {
  name: string;
  status: number | undefined;
  message: string;
}

function factsOf(error: unknown): ErrorFacts {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const metadata = record.$metadata as { httpStatusCode?: unknown } | undefined;
  const status = typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
  return {
    name: typeof record.name === 'string' ? record.name : 'Error',
    status,
    message: (typeof record.message === 'string' && record.message !== '' ? record.message : String(error)).replace(ACCESS_KEY_ID, '[Redacted]'),
  };
}

/**
 * Turns whatever an AWS SDK call threw into this connector's stable error codes.
 *
 * @example
 * try { await client.send(command, { abortSignal: ctx.signal }); }
 * catch (error) { throw awsFailure(error, { service: 'DynamoDB', table }); }
 */
export function awsFailure(error: unknown, target: AwsTarget): CommandError {
  if (isCommandError(error)) return error;
  const facts = factsOf(error);
  const { service } = target;
  // The socket code comes first: the HTTP handler renames ECONNRESET to TimeoutError.
  const network = networkFailure(error)?.kind;
  if (network !== undefined && UNREACHABLE_KINDS.has(network)) return awsUnreachable(service, facts.message, error);
  if (network === 'timeout' || TIMEOUT_NAMES.has(facts.name) || facts.status === 504) return awsTimeout(service, error);
  if (facts.name === 'ResourceNotFoundException' && target.table !== undefined) return dynamoTableNotFound(target.table, error);
  if (facts.name === 'NoSuchBucket' && target.bucket !== undefined) return s3BucketNotFound(target.bucket, error);
  if (facts.name === 'ValidationException') return dynamoValidationError(facts.message, error);
  if (THROTTLED_NAMES.has(facts.name) || facts.status === 429) return awsThrottled(service, error);
  if (ACCESS_DENIED_NAMES.has(facts.name) || facts.status === 403) return awsAccessDenied(service, facts.message, error);
  if (facts.status !== undefined && facts.status >= 500) return awsServiceError(service, facts.status, facts.message, error);
  return awsRequestFailed(service, facts.message, facts.status, error);
}
