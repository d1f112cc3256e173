import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { networkFailure } from '@connector-proxy/sdk';

/** A port nothing listens on: one a server held a moment ago. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function connectionError(port: number): Promise<unknown> {
  const socket = connect(port, '127.0.0.1');
  const [error] = await once(socket, 'error').catch((e: unknown) => [e]);
  return error;
}

describe('networkFailure', () => {
  test("a socket's refused connection, as it comes and wrapped the way fetch wraps it", async () => {
    const refused = await connectionError(await closedPort());
    const expected = { kind: 'refused', code: 'ECONNREFUSED', description: 'refused the connection (nothing listens there)' };
    assert.deepEqual(networkFailure(refused), expected);
    assert.deepEqual(networkFailure(new TypeError('fetch failed', { cause: refused })), expected);
    assert.deepEqual(networkFailure(new AggregateError([refused])), expected, 'the first address tried of several');
  });

  test("fetch's failures: a server that never answers, and one that hangs up", async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket)).listen(0, '127.0.0.1');
    // It reads the request first: a socket closed before the request is written can leave fetch waiting forever.
    const hangUp = createServer((socket) => socket.once('data', () => socket.destroy())).listen(0, '127.0.0.1');
    await Promise.all([once(silent, 'listening'), once(hangUp, 'listening')]);
    const url = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const timedOut = await fetch(url(silent), { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
      assert.deepEqual(networkFailure(timedOut), { kind: 'timeout', code: 'TimeoutError', description: 'did not answer in time' });
      const closed = await fetch(url(hangUp)).catch((e: unknown) => e);
      assert.deepEqual(networkFailure(closed), { kind: 'reset', code: 'UND_ERR_SOCKET', description: 'closed the connection before answering' });
    } finally {
      for (const socket of held) socket.destroy();
      for (const server of [silent, hangUp]) server.close();
    }
  });

  test('codes of a kind without words of their own say the code; unknown codes are other; no code is undefined', () => {
    const coded = (code: string) => Object.assign(new Error('x'), { code });
    assert.deepEqual(networkFailure(coded('ERR_SSL_WRONG_VERSION_NUMBER')), {
      kind: 'tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER', description: 'could not set up a secure (TLS) connection (ERR_SSL_WRONG_VERSION_NUMBER)',
    });
    assert.equal(networkFailure(coded('CERT_HAS_EXPIRED'))?.description, 'presented an expired TLS certificate');
    assert.equal(networkFailure(coded('HPE_INVALID_CONSTANT'))?.kind, 'invalid-response');
    assert.deepEqual(networkFailure(coded('ERR_SOMETHING_NEW')), { kind: 'other', code: 'ERR_SOMETHING_NEW', description: 'could not be reached (ERR_SOMETHING_NEW)' });
    assert.equal(networkFailure(coded('toString')), undefined, 'not a code, and not a key of any object');
    assert.equal(networkFailure(new Error('no code')), undefined);
    assert.equal(networkFailure('a string'), undefined);
  });
});
