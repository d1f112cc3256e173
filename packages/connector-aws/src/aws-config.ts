import { redactUrl, type SetupContext } from '@connector-proxy/sdk';
import { closeAwsClients, loadAwsClients, type AwsClients } from './aws-clients.js';
import { awsClientSettings, type AwsClientSettings } from './aws-environment.js';

/**
 * The `aws` connector's configuration: the clients, made by `load` on the first call that needs
 * them (see `setupAwsConfig`).
 */
export class AwsConfig {
  readonly #load: () => Promise<AwsClients>;
  #clients: Promise<AwsClients> | undefined;

  constructor(load: () => Promise<AwsClients>) {
    this.#load = load;
  }

  /** The clients, made once. A failed attempt is forgotten, so that the next call tries again. */
  clients(): Promise<AwsClients> {
    if (this.#clients === undefined) {
      const loading = this.#load();
      this.#clients = loading;
      loading.catch(() => {
        if (this.#clients === loading) this.#clients = undefined;
      });
    }
    return this.#clients;
  }

  /** Destroys the clients, if a call made them. */
  async close(): Promise<void> {
    const made = this.#clients;
    this.#clients = undefined;
    // A failed attempt made nothing to destroy (the call that started it got the error).
    const clients = await made?.catch(() => undefined);
    if (clients !== undefined) closeAwsClients(clients);
  }
}

/**
 * Reads the client settings from the proxy's environment (see `awsClientSettings`), so that a
 * mistake stops the start, and logs where the clients will connect. The clients themselves are
 * made on the first call that needs them.
 *
 * @example
 * const config = setupAwsConfig({ env: { AWS_REGION: 'us-east-1' }, settings: { httpTimeoutMs: 30_000 }, log });
 */
export function setupAwsConfig({ env, settings, log }: SetupContext): AwsConfig {
  const dynamoSettings = awsClientSettings(env, 'DynamoDB', settings.httpTimeoutMs);
  const s3Settings = awsClientSettings(env, 'S3', settings.httpTimeoutMs);
  // Where the keys come from, never the keys (a field named after them would be redacted anyway).
  const keysFrom = dynamoSettings.credentials === undefined ? "the AWS SDK's default chain" : 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  log.info(`aws connector ready, credentials from ${keysFrom}`, {
    region: dynamoSettings.region ?? "(the AWS SDK's default chain)",
    dynamodb_endpoint: describeEndpoint(dynamoSettings),
    s3_endpoint: describeEndpoint(s3Settings),
  });
  // The SDK is loaded on first use, not at start: it costs every proxy ~12 MB of memory, used or not.
  return new AwsConfig(() => loadAwsClients(dynamoSettings, s3Settings));
}

function describeEndpoint(settings: AwsClientSettings): string {
  return settings.endpoint === undefined ? 'AWS default' : redactUrl(settings.endpoint);
}
