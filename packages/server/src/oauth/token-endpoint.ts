/**
 * Calls to providers' token endpoints (RFC 6749 §4.1.3 code exchange, §6 refresh): one undici
 * Agent made at start, under the egress policy like every outbound call, each call bounded in
 * time and in the size of the answer. Answers are never logged: they hold the tokens.
 */
import { Agent } from 'undici';
import { isCommandError, readAtMost, type EgressPolicy, type OAuthTokenSet } from '@connector-proxy/sdk';
import type { OAuthProvider } from './providers.js';

/** A token answer is a small JSON object; anything larger is not one. */
const MAX_ANSWER_BYTES = 64 * 1024;
/**
 * The provider's `error` is shown when it is a plain code such as `invalid_grant` (RFC 6749 §5.2
 * codes are words and underscores); anything else is the provider's free text, not repeated.
 */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** True for a provider's `error` that may be shown as it is (token endpoint or authorize callback). */
export function isPlainErrorCode(text: string): boolean {
  return ERROR_CODE.test(text);
}

/** What a token request gave: a set, or why not, in words that quote no token. */
export type TokenAnswer = { ok: true; tokenSet: OAuthTokenSet } | { ok: false; reason: string };

export class TokenEndpoint {
  private readonly agent: Agent;

  constructor(private readonly timeoutMs: number, private readonly egress: EgressPolicy) {
    this.agent = new Agent({ connect: { timeout: timeoutMs, lookup: egress.lookup }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /** Trades an authorization code (with its PKCE verifier) for a token set. */
  exchangeCode(provider: OAuthProvider, code: string, redirectUri: string, verifier: string): Promise<TokenAnswer> {
    return this.post(provider, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
  }

  /** A new set for `refreshToken`. RFC 6749 §6: the provider may send a new refresh token; when it does not, the old one stays valid. */
  async refresh(provider: OAuthProvider, refreshToken: string): Promise<TokenAnswer> {
    const answer = await this.post(provider, { grant_type: 'refresh_token', refresh_token: refreshToken });
    if (!answer.ok || typeof answer.tokenSet.refresh_token === 'string') return answer;
    return { ok: true, tokenSet: { ...answer.tokenSet, refresh_token: refreshToken } };
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async post(provider: OAuthProvider, grant: Record<string, string>): Promise<TokenAnswer> {
    const form = new URLSearchParams(grant);
    // GitHub answers form-encoded unless asked for JSON; both are read below.
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (provider.clientSecret !== undefined && provider.tokenAuthMethod === 'client_secret_basic') {
      headers.authorization = `Basic ${Buffer.from(`${formPart(provider.clientId)}:${formPart(provider.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', provider.clientId);
      if (provider.clientSecret !== undefined) form.set('client_secret', provider.clientSecret);
    }
    const bound = AbortSignal.timeout(this.timeoutMs);
    const cutOff = new AbortController();
    try {
      this.egress.assertHostAllowed(provider.tokenUrl.hostname);
      const response = await this.agent.request({
        origin: provider.tokenUrl.origin,
        path: `${provider.tokenUrl.pathname}${provider.tokenUrl.search}`,
        method: 'POST',
        headers,
        body: form.toString(),
        signal: AbortSignal.any([bound, cutOff.signal]),
      });
      const bytes = await readAtMost(response.body, MAX_ANSWER_BYTES, () => cutOff.abort());
      if (bytes === undefined) return { ok: false, reason: `its answer is larger than ${MAX_ANSWER_BYTES} bytes` };
      return tokenAnswer(response.statusCode, String(response.headers['content-type'] ?? ''), bytes.toString('utf8'));
    } catch (error) {
      if (isCommandError(error)) return { ok: false, reason: error.message };
      if (bound.aborted) return { ok: false, reason: `it did not answer within ${this.timeoutMs} ms` };
      const code = (error as { code?: string }).code ?? (error as Error).name;
      return { ok: false, reason: `it could not be reached (${code})` };
    }
  }
}

/** RFC 6749 §2.3.1: client credentials in Basic auth are form-encoded first. */
function formPart(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function tokenAnswer(status: number, contentType: string, text: string): TokenAnswer {
  const fields = parseFields(contentType, text);
  const providerError = fields !== undefined && typeof fields.error === 'string' && isPlainErrorCode(fields.error) ? ` (${fields.error})` : '';
  if (status !== 200) return { ok: false, reason: `it answered ${status}${providerError}` };
  if (fields === undefined) return { ok: false, reason: 'its answer is not JSON' };
  // GitHub answers 200 with an `error` field.
  if (typeof fields.access_token !== 'string' || fields.access_token === '') return { ok: false, reason: `its answer has no access_token${providerError}` };
  return { ok: true, tokenSet: withExpiry(fields as OAuthTokenSet) };
}

function parseFields(contentType: string, text: string): Record<string, unknown> | undefined {
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Adds `expires_at` (epoch seconds) from `expires_in`, so whoever holds the set knows when it expires. */
function withExpiry(tokenSet: OAuthTokenSet): OAuthTokenSet {
  const expiresIn = Number(tokenSet.expires_in);
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) return tokenSet;
  return { ...tokenSet, expires_at: Math.floor(Date.now() / 1000) + Math.floor(expiresIn) };
}
