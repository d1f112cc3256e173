import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EgressPolicy } from '@connector-proxy/sdk';
import { TransportCache, type SmtpEndpoint } from '../src/index.js';
import { startTestSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 2_000) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** What the proxy's policy is with no lists, for the hosts used here: every name and address allowed. */
const allowEverything: EgressPolicy = { lookup: lookup as LookupFunction, assertHostAllowed: () => undefined };

describe('TransportCache', () => {
  const servers: TestSmtpServer[] = [];
  const cache = new TransportCache({ timeoutMs: 2_000, capacity: 1, egress: allowEverything });

  before(async () => {
    servers.push(await startTestSmtpServer(), await startTestSmtpServer());
  });

  after(async () => {
    cache.close();
    await Promise.all(servers.map((server) => server.close()));
  });

  const endpoint = (server: TestSmtpServer): SmtpEndpoint => ({ host: '127.0.0.1', port: server.port, starttls: false, credentials: undefined });
  const mail = { from: 'a@example.org', to: 'b@example.org', text: 'hi' };

  test('beyond its capacity closes the least recently used pool and its open connection', async () => {
    const [first, second] = servers as [TestSmtpServer, TestSmtpServer];
    await cache.get(endpoint(first)).sendMail(mail);
    assert.equal(first.connections, 1);
    assert.equal(first.closedConnections, 0, 'the pooled connection stays open after sending');

    await cache.get(endpoint(second)).sendMail(mail);
    assert.equal(cache.size, 1);
    await waitFor(() => first.closedConnections === 1, 'the evicted pool closed its connection');
    assert.equal(second.closedConnections, 0);
  });

  test('close shuts every pooled connection', async () => {
    const [, second] = servers as [TestSmtpServer, TestSmtpServer];
    cache.close();
    assert.equal(cache.size, 0);
    await waitFor(() => second.closedConnections === 1, 'the pool closed its connection');
  });
});
