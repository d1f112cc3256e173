/**
 * The connector's configuration: one undici Agent for every call, made at start and closed at
 * shutdown, so connections to a host are pooled and kept alive across commands.
 */
import { Agent } from 'undici';
import type { EgressPolicy, OAuthProviders, ProxySettings } from '@connector-proxy/sdk';

export interface HttpClient {
  readonly agent: Agent;
  /** Bound of one call, from connect to the last body byte (`CONNECTOR_PROXY_HTTP_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** Largest answer body read (`CONNECTOR_PROXY_MAX_RESPONSE_BYTES`); beyond it the call is cut off. */
  readonly maxResponseBytes: number;
  /** Checked before every request and redirect hop; its `lookup` also checks every address connected to. */
  readonly egress: EgressPolicy;
  /** The proxy's OAuth2 providers, for `oauth_provider` (absent when none are configured). */
  readonly oauth: OAuthProviders | undefined;
}

export function createHttpClient(settings: ProxySettings): HttpClient {
  const timeoutMs = settings.httpTimeoutMs;
  const agent = new Agent({
    // Each phase has its own bound so a stall is reported for what it is; the per-call signal
    // still bounds their sum. The policy's lookup refuses a name that resolves to a denied
    // address, so the address checked is the one connected to (no DNS-rebinding window).
    connect: { timeout: timeoutMs, lookup: settings.egress.lookup },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    // Many servers drop idle connections after 5 s: letting ours go first avoids sending a
    // request on a socket the server is closing (a spurious ConnectionReset).
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
  });
  return { agent, timeoutMs, maxResponseBytes: settings.maxResponseBytes, egress: settings.egress, oauth: settings.oauth };
}

export async function closeHttpClient(client: HttpClient): Promise<void> {
  await client.agent.close();
}
