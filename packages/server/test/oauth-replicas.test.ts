/**
 * Two replicas behind one load balancer: a connection started on one is finished on the other
 * (the sealed state), and its callback is refused on both afterwards (the used-state ledger in
 * the deployment's Redis).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAuthorizationServer, type AuthorizationServer } from './fixtures/oauth-authorization-server.js';
import { CLIENT_ID, CLIENT_SECRET, startOAuthProxy, type OAuthProxy } from './fixtures/oauth-proxy.js';
import { privateRedisUnavailable, startPrivateRedis, type PrivateRedis } from './fixtures/private-redis.js';

const SPIFF = 'https://spiff.example.com';
const RETURN_URL = `${SPIFF}/v1.0/authentication_callback/local/OAuth?token=t.o.k`;
const missing = privateRedisUnavailable();
const skip = missing !== undefined && process.env.CI !== 'true' ? missing : false;

describe('OAuth connections across replicas sharing a Redis', { skip }, () => {
  let redis: PrivateRedis;
  let auth: AuthorizationServer;
  let replicas: OAuthProxy[];

  before(async () => {
    assert.equal(missing, undefined, missing);
    redis = await startPrivateRedis();
    auth = await startAuthorizationServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    // Same providers, same secret key, same public URL, same Redis: as replicas are deployed.
    const env = { CONNECTOR_PROXY_QUEUE_URL: redis.url, CONNECTOR_PROXY_PUBLIC_URL: 'https://proxy.example.com' };
    replicas = [await startOAuthProxy(auth, SPIFF, env), await startOAuthProxy(auth, SPIFF, env)];
  });
  after(async () => {
    for (const replica of replicas ?? []) await replica.close();
    await auth?.close();
    await redis?.stop();
  });

  async function browse(replica: OAuthProxy, path: string): Promise<{ status: number; location: string | null; text: string }> {
    const response = await fetch(`${replica.proxy.url}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  async function consentOn(replica: OAuthProxy): Promise<string> {
    const started = await browse(replica, `/v1/auth/local/OAuth?redirect_url=${encodeURIComponent(RETURN_URL)}`);
    const authorize = new URL(started.location as string);
    const decided = await fetch(`${auth.url}/authorize/decide?${authorize.searchParams}&decision=allow`, { redirect: 'manual' });
    const callback = new URL(decided.headers.get('location') as string);
    return `${callback.pathname}${callback.search}`;
  }

  test('started on one replica, finished on the other; the callback is then refused on both', async () => {
    const [first, second] = replicas as [OAuthProxy, OAuthProxy];
    const callback = await consentOn(first);
    const finished = await browse(second, callback);
    assert.equal(finished.status, 302, finished.text);
    assert.ok(finished.location?.startsWith(`${RETURN_URL}&response=`));
    for (const replica of [first, second]) {
      const again = await browse(replica, callback);
      assert.equal(again.status, 400);
      assert.match(again.text, /oauth_state_used/);
    }
  });

  test('the same callback reaching both replicas at once is finished exactly once', async () => {
    const callback = await consentOn(replicas[0] as OAuthProxy);
    const exchanges = auth.tokenRequests.length;
    const answers = await Promise.all(replicas.map((replica) => browse(replica, callback)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [302, 400]);
    assert.equal(auth.tokenRequests.length, exchanges + 1, 'one code exchange');
  });
});
