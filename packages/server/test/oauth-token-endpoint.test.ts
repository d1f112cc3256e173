import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createEgressPolicy } from '../src/egress-policy.js';
import { codeChallenge, newCodeVerifier } from '../src/oauth/pkce.js';
import type { OAuthProvider } from '../src/oauth/providers.js';
import { TokenEndpoint } from '../src/oauth/token-endpoint.js';
import { startAuthorizationServer, type AuthorizationServer } from './fixtures/oauth-authorization-server.js';
import { CLIENT_ID, CLIENT_SECRET } from './fixtures/oauth-proxy.js';

const REDIRECT_URI = 'https://proxy.example.com/v1/auth/local/OAuth/callback';

function providerAt(tokenUrl: string, extra: Partial<OAuthProvider> = {}): OAuthProvider {
  return {
    id: 'local',
    auth: 'local/OAuth',
    authorizeUrl: new URL('https://id.example.com/authorize'),
    tokenUrl: new URL(tokenUrl),
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scopes: [],
    authorizeParams: {},
    tokenAuthMethod: 'client_secret_post',
    ...extra,
  };
}

describe('the token endpoint client', () => {
  let auth: AuthorizationServer;
  let odd: Server;
  let oddUrl: string;
  /** What the odd token endpoint answers next: status, content type, body. */
  let next: [number, string, string] = [200, 'application/json', '{}'];
  const endpoint = new TokenEndpoint(2000, createEgressPolicy(undefined, [], () => {}));

  before(async () => {
    auth = await startAuthorizationServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    odd = createServer((_request, response) => response.writeHead(next[0], { 'content-type': next[1] }).end(next[2]));
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}/token`;
  });
  after(async () => {
    await endpoint.close();
    await auth.close();
    odd.closeAllConnections();
    await new Promise((resolve) => odd.close(resolve));
  });

  /** A code the local server issued for a PKCE challenge; gives the code and its verifier. */
  async function code(): Promise<{ code: string; verifier: string }> {
    const verifier = newCodeVerifier();
    const query = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      state: 's',
      code_challenge: codeChallenge(verifier),
      code_challenge_method: 'S256',
      decision: 'allow',
    });
    const decided = await fetch(`${auth.url}/authorize/decide?${query}`, { redirect: 'manual' });
    return { code: new URL(decided.headers.get('location') as string).searchParams.get('code') as string, verifier };
  }

  test('PKCE: the code is exchanged with its verifier, and refused with another', async () => {
    const issued = await code();
    const wrong = await endpoint.exchangeCode(providerAt(auth.tokenUrl), issued.code, REDIRECT_URI, newCodeVerifier());
    assert.deepEqual(wrong, { ok: false, reason: 'it answered 400 (invalid_grant)' });
    const again = await code();
    const right = await endpoint.exchangeCode(providerAt(auth.tokenUrl), again.code, REDIRECT_URI, again.verifier);
    assert.equal(right.ok, true);
  });

  test('client_secret_basic sends the client in an Authorization header, not in the form', async () => {
    const issued = await code();
    const answer = await endpoint.exchangeCode(providerAt(auth.tokenUrl, { tokenAuthMethod: 'client_secret_basic' }), issued.code, REDIRECT_URI, issued.verifier);
    assert.equal(answer.ok, true);
    const form = auth.tokenRequests.at(-1) as URLSearchParams;
    assert.equal(form.get('client_secret'), null);
    assert.equal(form.get('client_id'), null);
  });

  test('a refresh answer without refresh_token keeps the one the set had (RFC 6749 §6)', async () => {
    next = [200, 'application/json', JSON.stringify({ access_token: 'at-new', token_type: 'bearer', expires_in: 60 })];
    const answer = await endpoint.refresh(providerAt(oddUrl), 'rt-kept');
    assert.ok(answer.ok);
    assert.equal(answer.tokenSet.refresh_token, 'rt-kept');
    assert.ok(Math.abs(Number(answer.tokenSet.expires_at) - (Date.now() / 1000 + 60)) < 5);
  });

  test("GitHub's answers: form-encoded tokens are read; a 200 carrying an error is a failure", async () => {
    next = [200, 'application/x-www-form-urlencoded; charset=utf-8', 'access_token=gho_abc&scope=repo&token_type=bearer'];
    const form = await endpoint.refresh(providerAt(oddUrl), 'rt');
    assert.ok(form.ok);
    assert.equal(form.tokenSet.access_token, 'gho_abc');
    next = [200, 'application/json', JSON.stringify({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' })];
    assert.deepEqual(await endpoint.exchangeCode(providerAt(oddUrl), 'c', REDIRECT_URI, 'v'), { ok: false, reason: 'its answer has no access_token (bad_verification_code)' });
  });

  test('answers that are not token sets fail with a reason that quotes nothing of them', async () => {
    next = [500, 'text/html', '<html>secret stack trace</html>'];
    assert.deepEqual(await endpoint.refresh(providerAt(oddUrl), 'rt'), { ok: false, reason: 'it answered 500' });
    next = [200, 'text/plain', 'not json'];
    assert.deepEqual(await endpoint.refresh(providerAt(oddUrl), 'rt'), { ok: false, reason: 'its answer is not JSON' });
    next = [200, 'application/json', JSON.stringify({ access_token: 'x'.repeat(70 * 1024) })];
    assert.deepEqual(await endpoint.refresh(providerAt(oddUrl), 'rt'), { ok: false, reason: 'its answer is larger than 65536 bytes' });
    next = [400, 'application/json', JSON.stringify({ error: '<script>alert(1)</script>' })];
    assert.deepEqual(await endpoint.refresh(providerAt(oddUrl), 'rt'), { ok: false, reason: 'it answered 400' });
  });

  test('an unreachable token endpoint is a failure, not a throw', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const answer = await endpoint.refresh(providerAt(`http://127.0.0.1:${port}/token`), 'rt');
    assert.deepEqual(answer, { ok: false, reason: 'it could not be reached (ECONNREFUSED)' });
  });
});
