/**
 * The bad-input suite for the HTTP commands' `headers` parameter: property-based tests
 * (fast-check) that give it names and values HTTP forbids or the HTTP client owns, huge values,
 * every JSON type, arrays and nested objects. Each call is refused with a 400 naming `headers`
 * (and nothing is sent), or is sent with its plain headers intact, and never smuggles a second
 * request or a header of its own. The upstream is a recording server on 127.0.0.1.
 *
 * Runs are seeded: a failure prints the seed and path; replay it with BAD_INPUT_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Envelope } from '@connector-proxy/sdk';
import type { RunningProxy } from '@connector-proxy/server';
import { startHttpProxy } from './http-proxy.js';
import { answerJson, startUpstream, type Upstream } from './upstream-server.js';

const SEED = Number(process.env.BAD_INPUT_SEED ?? 20_240_611);
const SCALE = Number(process.env.BAD_INPUT_SCALE ?? 1);

const COMMANDS = ['GetRequest', 'HeadRequest', 'PostRequest', 'PutRequest', 'PatchRequest', 'DeleteRequest'];

/** Headers the HTTP client owns: README.md promises a 400 naming `headers` for each. */
const CLIENT_OWNED = ['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection'];

/** Text a careless client would put on the wire as is: line breaks, NUL, lone surrogates, request smuggling. */
const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'a\r\nInjected: 1', '\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'x\0y', '\n', '\r', ' leading', 'trailing ', '\t', '',
      'chunked', 'close', '0', '-1', '100-continue', 'é', '😀', '\u2028', '\uD800', '\u0085',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 8_000, max: 60_000 }).map((length) => 'v'.repeat(length)) },
);

/** Names HTTP forbids or the client owns, in any letter case, next to ordinary ones. */
const headerName = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...CLIENT_OWNED), fc.boolean()).map(([name, upper]) => (upper ? name.toUpperCase() : name.replace(/^./, (first) => first.toUpperCase()))) },
  { weight: 3, arbitrary: fc.constantFrom('a b', 'x\0y', 'x\r\ny', 'x\ny', 'x:y', 'x: y', '', ' ', 'é', '😀', '(x)', 'x\ty', 'constructor', 'toString', '\u0085') },
  { weight: 2, arbitrary: fc.constantFrom('Content-Type', 'content-type', 'Authorization', 'Cookie', 'Accept', 'X-Forwarded-For', 'Spiff-Connector-Proxy-Api-Key') },
  { weight: 2, arbitrary: fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,30}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((length) => `X${'n'.repeat(length)}`) },
);

/** Values of every JSON type: text, numbers, booleans, null, arrays (sent once per item), nested objects. */
const headerValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 2, arbitrary: fc.array(fc.oneof(hostileText, fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A `headers` parameter as JSON text: mostly an object (duplicate names kept), sometimes not an object at all. */
const headersText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.tuple(headerName, headerValue), { minLength: 1, maxLength: 5 }).map((entries) => `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`).join(',')}}`) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('X-A: 1', 'X-A: 1\r\nX-B: 2', [['X-A', '1']], [], 7, true, '').map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
);

describe('hostile headers parameters of the HTTP commands', () => {
  let proxy: RunningProxy;
  let upstream: Upstream;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    upstream = await startUpstream((_request, response) => answerJson(response, 200, { ok: true }));
    proxy = await startHttpProxy({ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '1000', CONNECTOR_PROXY_EGRESS_ALLOW: '127.0.0.0/8,::1', CONNECTOR_PROXY_LOG_LEVEL: 'silent' });
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await proxy?.close();
    await upstream?.close();
  });

  test('are refused with a 400 naming headers, or sent with their plain headers intact; never smuggled, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...COMMANDS), headersText, async (command, headers) => {
        const body = `{"url":${JSON.stringify(`${upstream.url}/headers`)},"headers":${headers}}`;
        const given = (JSON.parse(body) as { headers: unknown }).headers;
        const seenBefore = upstream.seen.length;
        const response = await fetch(`${proxy.url}/v1/do/http/${command}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
        const text = await response.text();
        const context = `${command} headers=${abbreviated(headers)}\n=> ${response.status} ${text.slice(0, 400)}`;
        assert.ok(response.status < 500, context);
        const envelope = JSON.parse(text) as Envelope;
        assert.equal(envelope.command_response_version, 2, context);
        const reached = upstream.seen.slice(seenBefore);
        if (hasProtoKey(given)) {
          assert.equal(envelope.error?.error_code, 'invalid_body', context);
          return;
        }
        assert.ok(reached.length <= 1, `${context}\n(one call became ${reached.length} requests)`);
        for (const request of reached) {
          assert.ok(!('injected' in request.headers) && !request.url.includes('smuggled'), `${context}\n(a header smuggled content into the request)`);
        }
        if (response.status !== 200) {
          assert.equal(response.status, 400, context);
          assert.equal(envelope.error?.error_code, 'invalid_parameters', context);
          assert.match(envelope.error?.message ?? '', /headers /, context);
        }
        if (mustBeRefused(given)) {
          assert.equal(response.status, 400, `${context}\n(these headers must be refused)`);
          assert.equal(reached.length, 0, context);
        }
        if (response.status === 200 && envelope.error === null) {
          const received = reached[0]?.headers ?? {};
          for (const [name, value] of plainHeaders(given)) assert.ok(String(received[name.toLowerCase()] ?? '').includes(value), `${context}\n(${name} did not arrive as given)`);
        } else if (response.status === 200) {
          // The upstream refused what it was sent (e.g. 431 for huge headers): its status is kept.
          assert.ok((envelope.command_response.http_status ?? 0) >= 400, context);
        }
      }),
      { seed: SEED, numRuns: Math.max(1, Math.round(200 * SCALE)), endOnFailure: true, includeErrorInReport: true },
    );
    const liveness = await fetch(`${proxy.url}/liveness`);
    assert.equal(liveness.status, 200);
    assert.deepEqual(unhandled, [], 'an unhandled promise rejection');
  });

  test('a value with a line break is refused before anything is sent (a regression guard for request smuggling)', async () => {
    const seenBefore = upstream.seen.length;
    const response = await fetch(`${proxy.url}/v1/do/http/GetRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${upstream.url}/x`, headers: { 'X-A': ['ok', '1\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n'] } }),
    });
    const envelope = (await response.json()) as Envelope;
    assert.equal(response.status, 400);
    assert.equal(envelope.error?.error_code, 'invalid_parameters');
    assert.equal(upstream.seen.length, seenBefore);
  });
});

/** What the connector sends for one header value: text, once per array item; nothing for null. */
function headerTexts(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item)));
}

/** README.md: not an object, a client-owned name, or a name or value with a line break, NUL (or, in a name, a space or colon). */
function mustBeRefused(headers: unknown): boolean {
  if (headers === null || headers === undefined) return false;
  if (typeof headers !== 'object' || Array.isArray(headers)) return true;
  return Object.entries(headers).some(([name, value]) => {
    if (value === null || value === undefined) return false;
    if (CLIENT_OWNED.includes(name.toLowerCase())) return true;
    const texts = headerTexts(value);
    return texts.length > 0 && (/^$|[\r\n\0 :]/.test(name) || texts.some((text) => /[\r\n\0]/.test(text)));
  });
}

/**
 * The headers that must reach the upstream unchanged: a token name given once (a receiver may keep
 * only one of repeated names, as Node does for Content-Type) and one printable ASCII value.
 */
function plainHeaders(headers: unknown): Array<[string, string]> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return [];
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  const once = (name: string): boolean => names.filter((other) => other === name.toLowerCase()).length === 1;
  return Object.entries(headers).flatMap(([name, value]): Array<[string, string]> =>
    typeof value === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && once(name) && /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value) && value.length < 4000 ? [[name, value]] : [],
  );
}

/** fast-check generates `__proto__` names on purpose; the proxy refuses such a body (at any depth) before the command runs. */
function hasProtoKey(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== 'object' || item === null) continue;
    if (Object.hasOwn(item, '__proto__')) return true;
    pending.push(...Object.values(item));
  }
  return false;
}

function abbreviated(text: string): string {
  return text.length <= 600 ? text : `${text.slice(0, 300)} …(${text.length} characters)`;
}
