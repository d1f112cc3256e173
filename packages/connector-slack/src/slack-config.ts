import { configurationError, type EgressPolicy, type SetupContext } from '@connector-proxy/sdk';
import { Agent } from 'undici';

export const API_URL_VARIABLE = 'CONNECTOR_PROXY_SLACK_API_URL';
export const DEFAULT_API_URL = 'https://slack.com/api';

/** What `setup` makes once at start and every call shares. */
export interface SlackConfig {
  /** Base of the Web API without a trailing slash, e.g. `https://slack.com/api`. */
  readonly apiUrl: string;
  /** `host[:port]` of the API, the only part of the URL messages show (the URL may carry credentials). */
  readonly apiHost: string;
  /** The API's host name (`[::1]` for IPv6), what the egress policy checks before each call. */
  readonly apiHostname: string;
  /** One keep-alive pool for every call, so calls reuse Slack's TLS connections. */
  readonly agent: Agent;
  /** Bound for one call to Slack, connect to last body byte. */
  readonly timeoutMs: number;
  /** Largest reply read (`CONNECTOR_PROXY_MAX_RESPONSE_BYTES`); beyond it the call is cut off. */
  readonly maxResponseBytes: number;
  readonly egress: EgressPolicy;
}

/**
 * Reads `CONNECTOR_PROXY_SLACK_API_URL` (pointing it elsewhere serves Slack-compatible
 * gateways and tests) and makes the HTTP agent.
 */
export function createSlackConfig({ env, settings }: SetupContext): SlackConfig {
  const apiUrl = parseApiUrl(env[API_URL_VARIABLE]);
  const timeoutMs = settings.httpTimeoutMs;
  // The per-phase limits match the whole-call bound so that undici's own defaults (10 s to
  // connect, 300 s for headers) never decide the outcome instead of the configured timeout.
  // The egress policy's lookup checks the address actually connected to.
  const agent = new Agent({
    connect: { timeout: timeoutMs, lookup: settings.egress.lookup },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return {
    apiUrl: apiUrl.href.replace(/\/+$/, ''),
    apiHost: apiUrl.host,
    apiHostname: apiUrl.hostname,
    agent,
    timeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    egress: settings.egress,
  };
}

export async function closeSlackConfig(config: SlackConfig): Promise<void> {
  await config.agent.close();
}

// Empty counts as unset, as for the proxy's own variables (`VAR=` in a compose file).
function parseApiUrl(raw: string | undefined): URL {
  const value = raw?.trim();
  if (value === undefined || value === '') return new URL(DEFAULT_API_URL);
  // The value is not echoed: a gateway URL may hold credentials.
  const problem = `must be an http(s) URL such as ${DEFAULT_API_URL}`;
  if (!URL.canParse(value)) throw configurationError(API_URL_VARIABLE, problem);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configurationError(API_URL_VARIABLE, problem);
  if (url.search !== '' || url.hash !== '') {
    throw configurationError(API_URL_VARIABLE, `${problem}, without a query string or fragment`);
  }
  return url;
}
