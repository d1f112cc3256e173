/**
 * The `oauth` capability connectors get (the SDK's OAuthProviders): which providers exist,
 * and refreshing a set at its provider, once per refresh token however many calls ask.
 */
import { createHash } from 'node:crypto';
import type { OAuthProviders, OAuthTokenSet } from '@connector-proxy/sdk';
import { oauthRefreshFailed } from '../errors.js';
import type { OAuthProvider } from './providers.js';
import type { TokenEndpoint } from './token-endpoint.js';

/** A set expiring within this margin is refreshed before use: it could expire on the way. */
const EXPIRY_MARGIN_S = 30;
/**
 * How long a refreshed set is given again to calls holding the old refresh token. Covers calls
 * already on their way with the old set, and an engine that did not store the new one (the
 * backend skips storing when the answer is an error it does not catch): with a provider that
 * rotates refresh tokens the old one is now dead, and the new set is the only way on.
 */
const REUSE_MS = 10 * 60 * 1000;
const MAX_REMEMBERED = 1024;

interface Remembered {
  tokenSet: OAuthTokenSet;
  until: number;
}

export class TokenRefresher implements OAuthProviders {
  private readonly byAuth: ReadonlyMap<string, OAuthProvider>;
  /** Refreshes under way, by digest of provider and refresh token (never the token itself as a key). */
  private readonly inFlight = new Map<string, Promise<OAuthTokenSet>>();
  private readonly recent = new Map<string, Remembered>();

  constructor(providers: readonly OAuthProvider[], private readonly endpoint: TokenEndpoint) {
    this.byAuth = new Map(providers.map((provider) => [provider.auth, provider]));
  }

  has(auth: string): boolean {
    return this.byAuth.has(auth);
  }

  isExpired(tokenSet: OAuthTokenSet, now = Date.now()): boolean {
    const expiresAt = Number(tokenSet.expires_at);
    return Number.isFinite(expiresAt) && expiresAt - EXPIRY_MARGIN_S <= now / 1000;
  }

  refresh(auth: string, tokenSet: OAuthTokenSet, signal?: AbortSignal): Promise<OAuthTokenSet> {
    const provider = this.byAuth.get(auth);
    if (provider === undefined) return Promise.reject(oauthRefreshFailed(auth, 'no such provider is configured on this proxy'));
    const refreshToken = tokenSet.refresh_token;
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      return Promise.reject(oauthRefreshFailed(auth, 'the token set has no refresh_token'));
    }
    const key = createHash('sha256').update(`${auth}\n${refreshToken}`).digest('base64url');
    const remembered = this.recent.get(key);
    if (remembered !== undefined && remembered.until > Date.now() && !this.isExpired(remembered.tokenSet)) return Promise.resolve(remembered.tokenSet);
    let running = this.inFlight.get(key);
    if (running === undefined) {
      // Not tied to the first caller's signal: the others wait for the same refresh.
      running = this.refreshAt(provider, refreshToken, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return signal === undefined ? running : abortable(running, signal);
  }

  private async refreshAt(provider: OAuthProvider, refreshToken: string, key: string): Promise<OAuthTokenSet> {
    const answer = await this.endpoint.refresh(provider, refreshToken);
    if (!answer.ok) throw oauthRefreshFailed(provider.auth, `${provider.id}'s token endpoint refused: ${answer.reason}`);
    if (this.recent.size >= MAX_REMEMBERED) this.forgetExpired();
    if (this.recent.size >= MAX_REMEMBERED) this.recent.clear();
    this.recent.set(key, { tokenSet: answer.tokenSet, until: Date.now() + REUSE_MS });
    return answer.tokenSet;
  }

  private forgetExpired(): void {
    const now = Date.now();
    for (const [key, { until }] of this.recent) if (until <= now) this.recent.delete(key);
  }
}

/** `running`, or the signal's reason once it aborts: a caller past its deadline stops waiting. */
function abortable<T>(running: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
