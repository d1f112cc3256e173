/**
 * `oauth_provider` + `oauth_token_set`: a call made with an OAuth2 connection SpiffArena stored
 * (docs/oauth.md). The access token goes in `Authorization: Bearer`; when it has expired, or the
 * third party answers 401 once, the proxy's `oauth` capability refreshes the set and the call is
 * sent once more, and the new set goes back to the engine to be stored. Token values never
 * reach a log line or a message.
 */
import { commandErrorWith, isCommandError, type CommandContext, type CommandResult, type OAuthProviders, type OAuthTokenRefresh, type OAuthTokenSet } from '@connector-proxy/sdk';
import { invalidParameter } from './errors.js';
import { isPlainObject } from './form-encoding.js';
import type { HttpClient } from './http-client.js';
import type { RequestParameters } from './parameters.js';
import { withoutHeaders } from './request-headers.js';
import type { AttemptOutcome, OutboundRequest } from './send-request.js';

/** A call's OAuth connection, checked. */
export interface OAuthConnection {
  /** `<provider>/OAuth`: the provider, and the secret the engine overwrites with a refreshed set. */
  readonly auth: string;
  readonly tokenSet: OAuthTokenSet;
  readonly providers: OAuthProviders;
}

/** The outcome of the last request sent, and the set refreshed on the way, if one was. */
export interface AuthorizedOutcome {
  outcome: AttemptOutcome;
  refresh: OAuthTokenRefresh | undefined;
}

const AUTHORIZATION = new Set(['authorization']);

/**
 * The connection a call asks for, or undefined when it names none. Throws 400 naming the
 * parameter for a half-given, unknown or unreadable one (never quoting the set).
 */
export function oauthConnection(params: RequestParameters, providers: OAuthProviders | undefined): OAuthConnection | undefined {
  const auth = params.oauth_provider;
  const given = params.oauth_token_set;
  if (auth === undefined && given === undefined) return undefined;
  if (auth === undefined) throw invalidParameter('oauth_provider', 'is required with oauth_token_set: it names the provider that refreshes the set (e.g. github/OAuth)');
  if (given === undefined) throw invalidParameter('oauth_token_set', 'is required with oauth_provider: pass the secret SpiffArena stored for it');
  if (providers === undefined || !providers.has(auth)) {
    throw invalidParameter('oauth_provider', `names no OAuth provider of this proxy (${JSON.stringify(auth)}); GET /v1/auths lists them`);
  }
  if (params.basic_auth_username !== undefined || params.basic_auth_password !== undefined) {
    throw invalidParameter('oauth_provider', 'cannot be combined with basic_auth_username or basic_auth_password: both set Authorization');
  }
  return { auth, tokenSet: tokenSetOf(given), providers };
}

function tokenSetOf(given: unknown): OAuthTokenSet {
  let value = given;
  if (typeof given === 'string') {
    try {
      value = JSON.parse(given);
    } catch {
      throw invalidParameter('oauth_token_set', 'is text that is not JSON; it must be the token set (an object with access_token), as SpiffArena stored it');
    }
  }
  if (!isPlainObject(value) || typeof value.access_token !== 'string' || value.access_token === '') {
    throw invalidParameter('oauth_token_set', 'must be a token set: an object (or its JSON text) with an access_token');
  }
  return value as OAuthTokenSet;
}

/**
 * Sends `request` with `send`, authorized by `connection`: refreshed first when its set has
 * expired (and can be refreshed), refreshed and sent once more when the third party answers 401
 * to a set that was not just refreshed.
 */
export async function sendAuthorized(
  request: OutboundRequest,
  connection: OAuthConnection,
  context: CommandContext<HttpClient>,
  send: (request: OutboundRequest) => Promise<AttemptOutcome>,
): Promise<AuthorizedOutcome> {
  const { auth, providers } = connection;
  let tokenSet = connection.tokenSet;
  let refreshed = false;
  if (providers.isExpired(tokenSet) && typeof tokenSet.refresh_token === 'string') {
    context.log.info(`the ${auth} access token has expired: refreshing it`);
    tokenSet = await providers.refresh(auth, tokenSet, context.signal);
    refreshed = true;
  }
  let outcome = await send(withBearer(request, tokenSet.access_token));
  if (!refreshed && outcome.ok && outcome.answer.status === 401) {
    context.log.info(`${outcome.answer.hostPort} answered 401: refreshing the ${auth} token and sending once more`);
    tokenSet = await providers.refresh(auth, tokenSet, context.signal);
    refreshed = true;
    outcome = await send(withBearer(request, tokenSet.access_token));
  }
  return { outcome, refresh: refreshed ? { auth, tokenSet } : undefined };
}

function withBearer(request: OutboundRequest, accessToken: string): OutboundRequest {
  return { ...request, headers: { ...withoutHeaders(request.headers, AUTHORIZATION), Authorization: `Bearer ${accessToken}` } };
}

/**
 * What `finish` makes of the outcome, carrying `refresh` when there is one, success or
 * failure: a failed call after a refresh still hands the engine the new set.
 */
export function withTokenRefresh(refresh: OAuthTokenRefresh | undefined, finish: () => CommandResult): CommandResult {
  if (refresh === undefined) return finish();
  try {
    return { ...finish(), tokenRefresh: refresh };
  } catch (error) {
    if (!isCommandError(error)) throw error;
    throw commandErrorWith(error, { tokenRefresh: refresh });
  }
}
