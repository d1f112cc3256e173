/**
 * Everything the OAuth routes and the connectors' `oauth` capability share, made once at start
 * from the configuration: the providers, the state sealer, the token endpoint client.
 */
import type { EgressPolicy } from '@connector-proxy/sdk';
import type { Environment, ProxyConfig } from '../config.js';
import type { Logger } from 'pino';
import { StateSealer } from './flow-state.js';
import { MemoryStateLedger, type StateLedger } from './state-ledger.js';
import { loadProviders, type OAuthProvider } from './providers.js';
import { TokenEndpoint } from './token-endpoint.js';
import { TokenRefresher } from './token-refresher.js';

export interface OAuthService {
  /** By id (`github`, not `github/OAuth`). */
  readonly providers: ReadonlyMap<string, OAuthProvider>;
  /** `GET /v1/auths`, serialized once. */
  readonly authsJson: string;
  readonly sealer: StateSealer;
  /** Which states were used: in Redis when the deployment has a queue URL, else in this process. */
  readonly usedStates: StateLedger;
  readonly endpoint: TokenEndpoint;
  /** What connectors get as `settings.oauth`. */
  readonly refresher: TokenRefresher;
  /** The origins a finished connection may be sent to. */
  readonly redirectAllow: ReadonlySet<string>;
  /** `CONNECTOR_PROXY_PUBLIC_URL`, when set: the base of the callback URL given to providers. */
  readonly publicUrl: string | undefined;
  close(): Promise<void>;
}

/** Undefined when no providers are configured (`GET /v1/auths` is then `[]`). A bad file throws, naming the variable. */
export async function createOAuthService(config: ProxyConfig, env: Environment, egress: EgressPolicy, log: Logger): Promise<OAuthService | undefined> {
  const { providersFile, redirectAllow, publicUrl } = config.oauth;
  if (providersFile === undefined) return undefined;
  const providers = loadProviders(providersFile, env);
  // config.ts refuses providers without a secret key; the check here keeps the types honest.
  const secretKey = config.jobs.secretKey;
  if (secretKey === undefined) throw new Error('CONNECTOR_PROXY_SECRET_KEY is required with CONNECTOR_PROXY_OAUTH_PROVIDERS');
  const usedStates = config.jobs.queueUrl === undefined ? new MemoryStateLedger() : await connectRedisLedger(config.jobs.queueUrl, log);
  const endpoint = new TokenEndpoint(config.httpTimeoutMs, egress);
  return {
    providers: new Map(providers.map((provider) => [provider.id, provider])),
    authsJson: JSON.stringify(providers.map((provider) => ({ id: provider.auth, parameters: [] }))),
    sealer: new StateSealer(secretKey),
    usedStates,
    endpoint,
    refresher: new TokenRefresher(providers, endpoint),
    redirectAllow: new Set(redirectAllow),
    publicUrl,
    close: async () => {
      await endpoint.close();
      await usedStates.close();
    },
  };
}

/** ioredis is loaded only by a proxy configured with a queue. */
async function connectRedisLedger(url: string, log: Logger): Promise<StateLedger> {
  const { RedisStateLedger } = await import('./redis-state-ledger.js');
  return RedisStateLedger.connect(url, log);
}
