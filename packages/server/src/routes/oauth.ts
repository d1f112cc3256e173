/**
 * OAuth2 connections (docs/oauth.md): `GET /v1/auths` for SpiffArena's Authentications page,
 * and the two browser routes of a connection. The browser routes carry no API key (a browser
 * following a link cannot send one); the sealed single-use state, PKCE and the redirect allow
 * list protect them (docs/security.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCommandError, type CommandError } from '@connector-proxy/sdk';
import {
  oauthExchangeFailed,
  oauthProviderError,
  oauthProviderNotFound,
  oauthRedirectMissing,
  oauthRedirectNotAllowed,
  oauthStateExpired,
  oauthStateInvalid,
  oauthStateStoreUnavailable,
  oauthStateUsed,
} from '../errors.js';
import { errorPage, PAGE_HEADERS } from '../oauth/error-page.js';
import type { FlowState } from '../oauth/flow-state.js';
import type { OAuthService } from '../oauth/oauth-service.js';
import { codeChallenge, newCodeVerifier } from '../oauth/pkce.js';
import type { OAuthProvider } from '../oauth/providers.js';
import { allowedReturnUrl, withQueryParameter } from '../oauth/return-url.js';
import { isPlainErrorCode } from '../oauth/token-endpoint.js';

interface ProviderParams {
  provider: string;
}

type Query = Record<string, string | string[] | undefined>;

export function oauthRoutes(app: FastifyInstance, oauth: OAuthService | undefined): void {
  const auths = oauth?.authsJson ?? '[]';
  app.get('/v1/auths', async (_request, reply) => reply.type('application/json').send(auths));
  if (oauth === undefined) return;

  app.get<{ Params: ProviderParams; Querystring: Query }>('/v1/auth/:provider/OAuth', async (request, reply) => {
    const provider = oauth.providers.get(request.params.provider);
    if (provider === undefined) return page(request, reply, oauthProviderNotFound(request.params.provider));
    const redirectUrl = single(request.query.redirect_url);
    if (redirectUrl === undefined) return page(request, reply, oauthRedirectMissing());
    const returnUrl = allowedReturnUrl(redirectUrl, oauth.redirectAllow);
    if (returnUrl === undefined) return page(request, reply, oauthRedirectNotAllowed());
    const verifier = newCodeVerifier();
    // Kept in the state: the token request repeats it exactly, whatever Host the callback arrives with.
    const redirectUri = callbackUrl(oauth, request, provider);
    const { sealed } = oauth.sealer.create({ provider: provider.id, redirectUrl: returnUrl, verifier, redirectUri });
    request.log.info({ provider: provider.id }, 'oauth connection started');
    return away(reply, authorizeUrl(provider, redirectUri, sealed, codeChallenge(verifier)));
  });

  app.get<{ Params: ProviderParams; Querystring: Query }>('/v1/auth/:provider/OAuth/callback', async (request, reply) => {
    const provider = oauth.providers.get(request.params.provider);
    if (provider === undefined) return page(request, reply, oauthProviderNotFound(request.params.provider));
    const state = await spendState(oauth, request, provider);
    if (isCommandError(state)) return page(request, reply, state);
    const providerError = single(request.query.error);
    if (providerError !== undefined) {
      return page(request, reply, oauthProviderError(provider.id, isPlainErrorCode(providerError) ? providerError : 'an unreadable error'));
    }
    const code = single(request.query.code);
    if (code === undefined) return page(request, reply, oauthProviderError(provider.id, 'no authorization code'));
    const answer = await oauth.endpoint.exchangeCode(provider, code, state.redirectUri, state.verifier);
    if (!answer.ok) return page(request, reply, oauthExchangeFailed(provider.id, answer.reason));
    request.log.info({ provider: provider.id }, 'oauth connection made');
    return away(reply, withQueryParameter(state.redirectUrl, 'response', JSON.stringify(answer.tokenSet)));
  });
}

/**
 * The callback's state, checked (sealed here, for this provider, not expired) and claimed, so
 * that whatever happens next it cannot be used again; or the error that refuses it.
 */
async function spendState(oauth: OAuthService, request: FastifyRequest<{ Querystring: Query }>, provider: OAuthProvider): Promise<FlowState | CommandError> {
  const sealed = single(request.query.state);
  const state = sealed === undefined ? undefined : oauth.sealer.open(sealed);
  if (state === undefined || state.provider !== provider.id) return oauthStateInvalid();
  if (state.expiresAt <= Date.now()) return oauthStateExpired();
  try {
    return (await oauth.usedStates.claim(state)) ? state : oauthStateUsed();
  } catch (error) {
    request.log.error({ err: error }, 'OAuth state ledger failed');
    return oauthStateStoreUnavailable();
  }
}

/**
 * The proxy's own callback, as the provider must send the browser to it (and as it was
 * registered there): on CONNECTOR_PROXY_PUBLIC_URL, else on the scheme and Host the browser used.
 */
function callbackUrl(oauth: OAuthService, request: FastifyRequest, provider: OAuthProvider): string {
  const base = oauth.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base}/v1/auth/${encodeURIComponent(provider.id)}/OAuth/callback`;
}

function authorizeUrl(provider: OAuthProvider, redirectUri: string, state: string, challenge: string): string {
  const url = new URL(provider.authorizeUrl);
  const query = url.searchParams;
  for (const [name, value] of Object.entries(provider.authorizeParams)) query.set(name, value);
  query.set('response_type', 'code');
  query.set('client_id', provider.clientId);
  query.set('redirect_uri', redirectUri);
  if (provider.scopes.length > 0) query.set('scope', provider.scopes.join(' '));
  query.set('state', state);
  query.set('code_challenge', challenge);
  query.set('code_challenge_method', 'S256');
  return url.toString();
}

function away(reply: FastifyReply, location: string): FastifyReply {
  // The Location holds a state or a token set: no cache keeps it, no Referer carries it on.
  return reply.code(302).headers({ location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send();
}

function page(request: FastifyRequest, reply: FastifyReply, error: CommandError): FastifyReply {
  request.log.info({ provider: (request.params as Partial<ProviderParams>).provider, error_code: error.code }, 'oauth connection refused');
  return reply.code(error.status).headers(PAGE_HEADERS).send(errorPage(error));
}

/** A query parameter given once; a repeated one is as good as absent. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
