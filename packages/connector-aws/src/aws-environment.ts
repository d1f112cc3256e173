import { configurationError } from '@connector-proxy/sdk';

type Env = Readonly<Record<string, string | undefined>>;

/** Static AWS keys (structurally the SDK's `AwsCredentialIdentity`). */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The endpoint variables the AWS SDKs honour, per service, most specific first. */
const ENDPOINT_VARIABLES = {
  DynamoDB: ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL'],
  S3: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
} as const;

/** Client options common to both services; anything left out is decided by the SDK's own chain. */
export interface AwsClientSettings {
  region?: string;
  endpoint?: string;
  credentials?: AwsKeys;
  profile?: string;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
}

/**
 * Client options for one service from the proxy's environment.
 *
 * The SDK reads the standard `AWS_*` variables itself, but only from `process.env`; the proxy
 * hands connectors an `env` that may differ (tests, embedding), so the variables present there
 * are passed explicitly. Those absent are left to the SDK's default chain (config files, SSO,
 * instance roles, ...).
 *
 * @example
 * awsClientSettings({ AWS_REGION: 'eu-west-1' }, 'S3', 30_000)
 * // { region: 'eu-west-1', requestHandler: { connectionTimeout: 30000, requestTimeout: 30000, throwOnRequestTimeout: true } }
 */
export function awsClientSettings(env: Env, service: keyof typeof ENDPOINT_VARIABLES, httpTimeoutMs: number): AwsClientSettings {
  const settings: AwsClientSettings = {
    requestHandler: { connectionTimeout: httpTimeoutMs, requestTimeout: httpTimeoutMs, throwOnRequestTimeout: true },
  };
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region !== undefined) settings.region = region;
  const endpoint = endpointFor(env, service);
  if (endpoint !== undefined) settings.endpoint = endpoint;
  const credentials = credentialsFrom(env);
  if (credentials !== undefined) settings.credentials = credentials;
  const profile = nonEmpty(env.AWS_PROFILE);
  if (profile !== undefined) settings.profile = profile;
  return settings;
}

function endpointFor(env: Env, service: keyof typeof ENDPOINT_VARIABLES): string | undefined {
  for (const variable of ENDPOINT_VARIABLES[service]) {
    const value = nonEmpty(env[variable]);
    if (value === undefined) continue;
    if (!isHttpUrl(value)) throw configurationError(variable, 'must be an http(s) URL');
    return value;
  }
  return undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch (error) {
    if (error instanceof TypeError) return false; // URL throws TypeError for anything unparsable
    throw error;
  }
}

/** Static keys when both halves are in `env`; one half alone is a configuration mistake. */
function credentialsFrom(env: Env): AwsKeys | undefined {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined) throw configurationError('AWS_ACCESS_KEY_ID', 'must be set when AWS_SECRET_ACCESS_KEY is set');
  if (secretAccessKey === undefined) throw configurationError('AWS_SECRET_ACCESS_KEY', 'must be set when AWS_ACCESS_KEY_ID is set');
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
