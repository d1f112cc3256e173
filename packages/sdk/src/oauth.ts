/**
 * OAuth2 connections as a connector sees them. The proxy loads the providers
 * (`CONNECTOR_PROXY_OAUTH_PROVIDERS`), runs the browser flow that stores a token set in
 * SpiffArena, and offers this capability to connectors for the calls made with such a set.
 */

/**
 * A token set as the proxy hands it to SpiffArena (the provider's token answer plus
 * `expires_at`, epoch seconds) and as SpiffArena gives it back in a parameter.
 *
 * @example
 * const set: OAuthTokenSet = { access_token: 'gho_...', refresh_token: 'ghr_...', token_type: 'bearer', expires_at: 1790000000 };
 */
export interface OAuthTokenSet {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly token_type?: string;
  /** When `access_token` expires, in epoch seconds; absent when the provider did not say. */
  readonly expires_at?: number;
  readonly [field: string]: unknown;
}

/**
 * A refreshed token set for the engine to store under `auth` (the secret's name, e.g.
 * `github/OAuth`): return it as a result's `tokenRefresh` (or an error's, when the call failed after the refresh).
 *
 * @example
 * return { body, httpStatus: 200, tokenRefresh: { auth: 'github/OAuth', tokenSet: refreshed } };
 */
export interface OAuthTokenRefresh {
  readonly auth: string;
  readonly tokenSet: OAuthTokenSet;
}

/**
 * The proxy's OAuth2 providers, offered to connectors as `settings.oauth` (absent when the
 * operator configured none). A connector never sees a client secret: it asks for a refresh.
 *
 * @example
 * const oauth = settings.oauth;
 * if (oauth === undefined || !oauth.has('github/OAuth')) throw invalidParameters([...]);
 * if (oauth.isExpired(tokenSet)) tokenSet = await oauth.refresh('github/OAuth', tokenSet, context.signal);
 * headers.Authorization = `Bearer ${tokenSet.access_token}`;
 */
export interface OAuthProviders {
  /** True when `auth` (`<provider id>/OAuth`, as `GET /v1/auths` lists it) is configured. */
  has(auth: string): boolean;
  /** True when the set's `expires_at` has passed, or passes within a small margin. */
  isExpired(tokenSet: OAuthTokenSet): boolean;
  /**
   * A fresh set from the provider's token endpoint (its refresh token kept when the provider
   * sends no new one). Calls holding the same refresh token share one refresh, and a set
   * refreshed a moment ago is given again rather than refreshed twice. Fails with a
   * `CommandError` coded `OAuthRefreshFailed` (`httpStatus` 401).
   */
  refresh(auth: string, tokenSet: OAuthTokenSet, signal?: AbortSignal): Promise<OAuthTokenSet>;
}
