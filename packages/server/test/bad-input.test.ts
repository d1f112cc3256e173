/**
 * The bad-input suite: property-based tests (fast-check) that throw arbitrary bodies, parameter
 * values, paths, methods and headers at a real proxy serving the built-in connectors. Whatever
 * comes in, the proxy never answers 5xx, never crashes, keeps serving, and answers in a
 * version-2 envelope whose stable `error_code` names the problem (a 4xx for the caller's own
 * mistakes; a 200 with the third party's `http_status` when a third party failed).
 *
 * Every outbound target is on 127.0.0.1: a sink that answers 200, or a closed port. Runs are
 * seeded: a failure prints the seed and path; replay it with BAD_INPUT_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Envelope } from '@connector-proxy/sdk';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { assertAnswered, envelopeOf } from './fixtures/envelope-checks.js';
import {
  anyJson,
  DEEP_BUT_FINE,
  hostileString,
  JsonEntries,
  JsonLiteral,
  jsonText,
  meaningfulValues,
  nested,
  placeValues,
  plausibleTyped,
  plausibleValues,
  TOO_DEEP,
  typedValue,
} from './fixtures/hostile-input.js';
import { closedPort, SinkServer } from './fixtures/local-targets.js';
import { LogCapture } from './fixtures/proxy-client.js';
import { rawExchange, rawRequest, type RawAnswer } from './fixtures/raw-client.js';

const SEED = Number(process.env.BAD_INPUT_SEED ?? 20_240_611);
/** Multiplies every property's runs, to explore further locally (BAD_INPUT_SCALE=20). */
const SCALE = Number(process.env.BAD_INPUT_SCALE ?? 1);
const MAX_BODY_BYTES = 256 * 1024;

/** A path segment as node:http puts it on a request line: percent signs (valid or not), dots, odd punctuation, parts over the router's 100 characters. */
const pathSegment = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcXYZ019-._~%!$&\'()*+,;=:@[]|^`{}"<>\\'.split('')), maxLength: 12 }),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('', '.', '..', '%', '%zz', '%E0%A4%A', '%00', '%2F', '%C0%AF', 'x'.repeat(150), 'http', 'GetRequest', 'commands', 'liveness', 'jobs', 'do', 'v1'),
);

/** fast-check's options for one property: seeded, bounded, and saying how to replay a failure. */
function runs(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)), endOnFailure: true, includeErrorInReport: true };
}

interface ParameterDescriptor {
  id: string;
  type: string;
  required: boolean;
}

interface CommandDescriptor {
  id: string;
  parameters: ParameterDescriptor[];
}

const JSON_HEADERS = { 'content-type': 'application/json' };
/** Content-Types whose bodies are read as JSON: JSON media types, with any parameters, in any case. */
const JSON_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/json;;;', 'application/vnd.api+json; charset=utf-8', 'application/problem+json'];
/** Content-Types that are refused (415) before the body is read. */
const OTHER_CONTENT_TYPES = ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', '*/*', 'application/octet-stream', 'text/json', 'application/jsonx', 'application/json+x', 'json'];

describe('bad input thrown at every route of a proxy with the built-in connectors', () => {
  let proxy: RunningProxy;
  let sink: SinkServer;
  let commands: CommandDescriptor[];
  let places: ReturnType<typeof placeValues>;
  let plausible: ReturnType<typeof plausibleValues>;
  const logs = new LogCapture();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-bad-input-'));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    sink = await SinkServer.start();
    const closed = await closedPort();
    places = placeValues({ sinkUrl: sink.url(), closedPort: closed });
    plausible = plausibleValues({ sinkUrl: sink.url(), closedPort: closed });
    proxy = await startProxy({
      env: {
        CONNECTOR_PROXY_LOG_LEVEL: 'error',
        CONNECTOR_PROXY_DATA_DIR: dataDir,
        CONNECTOR_PROXY_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '500',
        CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '3000',
        CONNECTOR_PROXY_JOB_TIMEOUT_MS: '3000',
        CONNECTOR_PROXY_CALLBACK_MAX_ATTEMPTS: '1',
        CONNECTOR_PROXY_SHUTDOWN_GRACE_MS: '1000',
        // Outbound calls may only reach this machine, whatever a generated value names.
        CONNECTOR_PROXY_EGRESS_ALLOW: '127.0.0.0/8,::1',
        CONNECTOR_PROXY_SLACK_API_URL: sink.url('/api'),
        CONNECTOR_PROXY_POSTGRES_CONNECT_TIMEOUT_MS: '500',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDBADINPUT',
        AWS_SECRET_ACCESS_KEY: 'bad-input-secret',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`,
      },
      logStream: logs,
    });
    const listing = await rawRequest(proxy.url, { method: 'GET', path: '/v1/commands' });
    commands = JSON.parse(listing.text) as CommandDescriptor[];
  });

  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await proxy?.close();
    await sink?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The proxy still answers its health check, and nothing went unhandled or failed unexpectedly. */
  async function assertStillServing(): Promise<void> {
    const liveness = await rawRequest(proxy.url, { method: 'GET', path: '/liveness' });
    assert.equal(liveness.status, 200);
    assert.deepEqual(unhandled, [], 'an unhandled promise rejection');
    const unexpected = logs.lines.filter((line) => /unexpectedly|job store failed/.test(line));
    assert.deepEqual(unexpected, [], 'the proxy logged a failure it did not expect');
  }

  /** An accepted background job is listed by `GET /v1/jobs/{id}`, without its parameters. */
  async function assertJobListed(accepted: Envelope): Promise<void> {
    const id = String((accepted.command_response.body as { job_id?: unknown }).job_id);
    const answer = await rawRequest(proxy.url, { method: 'GET', path: `/v1/jobs/${id}` });
    assert.equal(answer.status, 200, answer.text);
    const job = JSON.parse(answer.text) as { id: string; state: string };
    assert.equal(job.id, id);
    assert.match(job.state, /^(accepted|running|delivering|delivered|failed)$/);
  }

  function post(commandId: string, body: string, headers: Record<string, string> = JSON_HEADERS): Promise<RawAnswer> {
    return rawRequest(proxy.url, { method: 'POST', path: `/v1/do/${commandId}`, headers, body });
  }

  test('the built-in connectors are all loaded', () => {
    const connectors = new Set(commands.map((command) => command.id.split('/')[0]));
    assert.deepEqual([...connectors].sort(), ['aws', 'http', 'postgres', 'postgres_v2', 'slack', 'smtp']);
  });

  describe('parameter values of every JSON type, for every parameter of every command', () => {
    /** A value for one parameter: what its meaning or type invites, or anything at all. */
    function valueFor(parameter: ParameterDescriptor): fc.Arbitrary<unknown> {
      // Parameters naming a place to connect to only ever name this machine (see placeValues).
      const place = places[parameter.id];
      if (place !== undefined) return place;
      const meaningful = meaningfulValues[parameter.id] ?? typedValue(parameter.type);
      return fc.oneof({ weight: 3, arbitrary: meaningful }, { weight: 2, arbitrary: typedValue(parameter.type) }, { weight: 1, arbitrary: anyJson });
    }

    /** Extra keys of a call: the engine's spiff__ keys, strays, duplicates, prototype keys. */
    function extraEntry(command: CommandDescriptor): fc.Arbitrary<readonly [string, unknown]> {
      const declared = new Set(command.parameters.map((parameter) => parameter.id));
      const redeclared = fc.constantFrom(...command.parameters).chain((parameter) => fc.tuple(fc.constant(parameter.id), valueFor(parameter)));
      return fc.oneof(
        { weight: 4, arbitrary: fc.tuple(fc.constantFrom('spiff__task_data', 'spiff__process_instance_id', 'spiff__task_id', 'spiff__process_model_identifier'), anyJson) },
        { weight: 2, arbitrary: fc.tuple(fc.constant('spiff__callback_url'), places.spiff__callback_url as fc.Arbitrary<unknown>) },
        { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 12 }).filter((key) => !declared.has(key) && !key.startsWith('spiff__') && key !== '__proto__'), anyJson) },
        { weight: 1, arbitrary: fc.tuple(fc.constant('constructor'), anyJson) },
        { weight: 1, arbitrary: fc.tuple(fc.constant('__proto__'), anyJson) },
        { weight: 2, arbitrary: redeclared },
      );
    }

    /** A parameter's ordinary value, or (when it is optional) nothing. */
    function plausibleEntry(command: CommandDescriptor, parameter: ParameterDescriptor): fc.Arbitrary<readonly [string, unknown] | null> {
      const ordinary = plausible[`${command.id}:${parameter.id}`] ?? plausible[parameter.id] ?? plausibleTyped(parameter.type);
      const value = ordinary.map((item) => [parameter.id, item] as const);
      return parameter.required ? value : fc.option(value, { freq: 2 });
    }

    /** A call that is right but for one parameter, so the hostile value reaches the command's own code. */
    function nearlyRightCall(command: CommandDescriptor): fc.Arbitrary<JsonEntries> {
      const benignExtra = fc.oneof(
        fc.tuple(fc.constantFrom('spiff__task_data', 'spiff__task_id', 'spiff__process_instance_id'), fc.jsonValue({ maxDepth: 2 })),
        fc.tuple(fc.constant('spiff__callback_url'), plausible.spiff__callback_url as fc.Arbitrary<unknown>),
      );
      return fc
        .integer({ min: 0, max: command.parameters.length - 1 })
        .chain((hostile) =>
          fc.tuple(
            fc.tuple(...command.parameters.map((parameter, index) => (index === hostile ? fc.option(valueFor(parameter).map((value) => [parameter.id, value] as const), { freq: 6 }) : plausibleEntry(command, parameter)))),
            fc.array(benignExtra, { maxLength: 2 }),
          ),
        )
        .map(([given, extra]) => new JsonEntries([...given.filter((entry) => entry !== null), ...extra]));
    }

    /** A call where anything goes: every parameter hostile or absent, strays, duplicates, prototype keys. */
    function anythingCall(command: CommandDescriptor): fc.Arbitrary<JsonEntries> {
      const parameters = command.parameters.map((parameter) => fc.option(valueFor(parameter).map((value) => [parameter.id, value] as const), { freq: 4 }));
      return fc
        .tuple(fc.tuple(...parameters), fc.array(extraEntry(command), { maxLength: 4 }))
        .map(([given, extra]) => new JsonEntries([...given.filter((entry) => entry !== null), ...extra]));
    }

    function callBody(command: CommandDescriptor): fc.Arbitrary<JsonEntries> {
      return fc.oneof({ weight: 3, arbitrary: nearlyRightCall(command) }, { weight: 1, arbitrary: anythingCall(command) });
    }

    test('every command answers each call with an envelope that names the problem', async () => {
      for (const command of commands) {
        await fc.assert(
          fc.asyncProperty(callBody(command), async (body) => {
            const text = jsonText(body);
            const answer = await post(command.id, text);
            const envelope = checkCommandAnswer(command, text, answer);
            if (answer.status === 202) await assertJobListed(envelope);
          }),
          runs(40),
        );
      }
      await assertStillServing();
    });
  });

  test('raw bodies that are not a JSON object are refused: invalid_body under a JSON content type, unsupported_media_type under any other', async () => {
    const validBody = fc.constant(JSON.stringify({ url: sink.url(), table_name: 't', spiff__task_data: { a: [1, 2, 3] }, headers: { 'X-A': '1' } }));
    const rawBody = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(Buffer.from('{"url":"x"}', 'utf16le'), Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('{"a":"\xe9"}', 'latin1')),
      fc.tuple(validBody, fc.nat()).map(([text, cut]) => text.slice(0, cut % text.length)),
      fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)).map((value) => JSON.stringify(value)),
      fc.integer({ min: 10_000, max: 100_000 }).chain((depth) => fc.constantFrom(nested(depth, false).text, nested(depth, true).text, `{"a":${nested(depth, false).text}}`)),
      fc.constantFrom(
        '', ' ', 'null', 'true', '"text"', '[]', '{}x', '{"a":1}{"b":2}', "{'a':1}", '{"a":NaN}', '{"a":Infinity}', '{"a":1,}', '{a:1}', '/* */{}',
        '\uFEFF{"url":"x"}', '{"a":"\\ud800"}', '{"a":"\\u00"}', '{"__proto__":{"polluted":1}}', '{"a":{"__proto__":[]}}', '{"constructor":{"prototype":{"polluted":1}}}',
        'url=http%3A%2F%2F127.0.0.1&x=1', '<xml/>', '\0', '{"a":1e400}', '{"a":-}',
      ),
    );
    const contentType = fc.option(fc.constantFrom(...JSON_CONTENT_TYPES, ...OTHER_CONTENT_TYPES));
    const commandId = fc.oneof(fc.constantFrom(...commands.map((command) => command.id)), fc.constantFrom('http/Nope', 'nope/GetRequest', 'http/getrequest'));
    await fc.assert(
      fc.asyncProperty(commandId, rawBody, contentType, fc.boolean(), async (id, body, type, chunked) => {
        const headers = type === null ? {} : { 'content-type': type };
        const answer = await rawRequest(proxy.url, { method: 'POST', path: `/v1/do/${id}`, headers, body, chunked });
        const where = `POST /v1/do/${id} (${type}) ${JSON.stringify(body.toString().slice(0, 200))}`;
        const envelope = assertAnswered(answer, where);
        // A body is read only under a JSON media type: another type is refused even on an empty
        // body; without a type, only a request with no body at all goes on (to be refused as not an object).
        const refusedByType = type === null ? body.length > 0 || chunked : !JSON_CONTENT_TYPES.includes(type);
        if (refusedByType) {
          assert.equal(answer.status, 415, `${where}: ${answer.text}`);
          assert.equal(envelope.error?.error_code, 'unsupported_media_type', `${where}: ${answer.text}`);
        } else if (!parsesToObject(body.toString())) {
          assert.ok(['invalid_body', 'command_not_found'].includes(envelope.error?.error_code ?? ''), `${where}: ${answer.text}`);
        }
      }),
      runs(150),
    );
    await assertStillServing();
  });

  test('bodies over the size limit are a 413 payload_too_large, and just under it are read', async () => {
    const size = fc.oneof(fc.integer({ min: MAX_BODY_BYTES - 64, max: MAX_BODY_BYTES + 64 }), fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }));
    await fc.assert(
      fc.asyncProperty(size, fc.boolean(), async (bytes, chunked) => {
        const prefix = `{"url":${JSON.stringify(sink.url())},"spiff__task_data":"`;
        const body = `${prefix}${'x'.repeat(Math.max(0, bytes - prefix.length - 2))}"}`;
        const answer = await rawRequest(proxy.url, { method: 'POST', path: '/v1/do/http/GetRequest', headers: JSON_HEADERS, body, chunked });
        const envelope = assertAnswered(answer, `a body of ${body.length} bytes${chunked ? ', chunked' : ''}`);
        if (body.length > MAX_BODY_BYTES) {
          assert.equal(answer.status, 413);
          assert.equal(envelope.error?.error_code, 'payload_too_large');
          assert.match(envelope.error?.message ?? '', new RegExp(String(MAX_BODY_BYTES)));
        } else {
          assert.equal(answer.status, 200, answer.text);
          assert.equal(envelope.error, null);
        }
      }),
      runs(20),
    );
    await assertStillServing();
  });

  test('any method on any path answers below 500, with an envelope for every refusal', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'PURGE', 'LOCK', 'MKCOL', 'COPY', 'REPORT');
    const segment = pathSegment;
    const known = fc.constantFrom('/', '/liveness', '/v1/liveness', '/v1/commands', '/v1/auths', '/metrics', ...commands.map((command) => `/v1/do/${command.id}`));
    const pathArb = fc.oneof(
      known,
      fc.tuple(known, segment).map(([base, extra]) => `${base}${extra}`),
      fc.tuple(segment, segment).map(([a, b]) => `/v1/do/${a}/${b}`),
      segment.map((id) => `/v1/jobs/${id}`),
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
      fc.constantFrom('//v1//commands', '/v1/commands/', '/V1/COMMANDS', '/v1/commands;x', '/v1/do/http', '/v1/do/http/GetRequest/extra', '/v1/jobs/', '/v1/jobs'),
    );
    const query = fc.option(fc.oneof(segment, fc.constantFrom('a=1&a=2', '?', 'a=%zz', '__proto__[x]=1', 'constructor[prototype][x]=1')), { freq: 3 });
    const headers = fc.dictionary(
      fc.constantFrom('content-type', 'accept', 'origin', 'access-control-request-method', 'spiff-connector-proxy-api-key', 'x-forwarded-for', 'accept-encoding', 'content-encoding', 'expect'),
      fc.constantFrom('application/json', 'text/plain', '*/*', 'gzip', 'null', 'POST', 'http://127.0.0.1', '', 'x'.repeat(2000), '100-continue'),
      { maxKeys: 3 },
    );
    const body = fc.option(fc.oneof(fc.constantFrom('{}', '{"url":"x"}', 'garbage', '[]'), hostileString.filter((text) => text.length < 1000)), { freq: 2 });
    await fc.assert(
      fc.asyncProperty(method, pathArb, query, headers, body, async (verb, pathname, search, extraHeaders, payload) => {
        const target = search === null ? pathname : `${pathname}?${search}`;
        // node:http would wait for a 100 Continue it cannot read here: send the body at once.
        const requestHeaders = { ...extraHeaders };
        delete requestHeaders.expect;
        const answer = await rawRequest(proxy.url, { method: verb, path: target, headers: requestHeaders, ...(payload === null ? {} : { body: payload }) });
        const where = `${verb} ${target} ${JSON.stringify(requestHeaders)}`;
        assert.ok(answer.status < 500, `${where}: ${answer.status} ${answer.text.slice(0, 300)}`);
        // HEAD answers have no body; OPTIONS is CORS preflight, answered by the CORS layer for browsers.
        if (verb === 'HEAD' || verb === 'OPTIONS' || answer.status < 400) return;
        assertAnswered(answer, where);
      }),
      runs(200),
    );
    await assertStillServing();
  });

  test('GET /v1/jobs/{id} with any id is a job_not_found envelope', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }), fc.uuid(), fc.constantFrom("' OR 1=1 --", '*', '..', '%', '\0', 'meta', 'id', 'events', 'completed', 'stalled-check', 'F0E1D2C3-B4A5-4968-8776-655443322110')), async (id) => {
        const answer = await rawRequest(proxy.url, { method: 'GET', path: `/v1/jobs/${encodeURIComponent(id)}` });
        const envelope = assertAnswered(answer, `GET /v1/jobs/${JSON.stringify(id)}`);
        assert.equal(answer.status, 404);
        assert.equal(envelope.error?.error_code, 'job_not_found');
      }),
      runs(60),
    );
    await assertStillServing();
  });

  test('requests that are not well-formed HTTP are refused without harming the proxy', async () => {
    const port = new URL(proxy.url).port;
    const garbage = [
      'GARBAGE\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      `FOO /liveness HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
      `POST /v1/do/http/GetRequest HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `POST /v1/do/http/GetRequest HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}`,
      `POST /v1/do/http/GetRequest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      `GET /liveness HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n`,
      `GET /liveness HTTP/1.1\r\nHost: x\r\nX-Huge: ${'h'.repeat(100_000)}\r\n\r\n`,
      `GET /liveness HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n`,
      `POST /v1/do/http/GetRequest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"url":`,
      `GET /v1/commands HTTP/9.9\r\nHost: x\r\n\r\n`,
      `GET /\u00ff HTTP/1.1\r\nHost: x\r\n\r\n`,
    ];
    for (const request of garbage) {
      const answer = await rawExchange(proxy.url, request, 1000);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
      assert.ok(status < 500, `${JSON.stringify(request.slice(0, 120))} was answered ${answer.slice(0, 200)}`);
    }
    await assertStillServing();
  });

  describe('regressions found by the properties', () => {
    test('a parameter nested thousands of levels deep is a 400 invalid_body, not a 500 (it used to overflow the stack when sent on)', async () => {
      for (const [id, body] of [
        ['http/PostRequest', `{"url":${JSON.stringify(sink.url())},"data":${nested(20_000, false).text}}`],
        ['http/PostRequest', `{"url":${JSON.stringify(sink.url())},"run_async":true,"spiff__callback_url":${JSON.stringify(sink.url('/cb'))},"data":${nested(20_000, true).text}}`],
        ['http/GetRequest', `{"url":${JSON.stringify(sink.url())},"spiff__task_data":${nested(TOO_DEEP.min, false).text}}`],
      ] as const) {
        const answer = await post(id, body);
        const envelope = assertAnswered(answer, `${id} with deep data`);
        assert.equal(answer.status, 400);
        assert.equal(envelope.error?.error_code, 'invalid_body');
        assert.match(envelope.error?.message ?? '', /nest/);
      }
      const fine = await post('http/PostRequest', `{"url":${JSON.stringify(sink.url())},"data":${nested(DEEP_BUT_FINE.max, true).text}}`);
      assert.equal(fine.status, 200, fine.text);
      assert.equal(envelopeOf(fine, 'fine').error, null);
    });

    test('a path that is not valid percent-encoding, or a path part over 100 characters, is a 404 route_not_found envelope', async () => {
      for (const target of ['/v1/do/%E0%A4%A/x', '/v1/jobs/%zz', `/v1/do/http/${'G'.repeat(150)}`, `/v1/jobs/${'j'.repeat(150)}`]) {
        const answer = await rawRequest(proxy.url, { method: target.startsWith('/v1/do') ? 'POST' : 'GET', path: target, headers: JSON_HEADERS, body: '{}' });
        const envelope = assertAnswered(answer, target);
        assert.equal(answer.status, 404);
        assert.equal(envelope.error?.error_code, 'route_not_found');
      }
    });

    test('a command call a web page could send without a CORS preflight (text/plain, a form, no type) is a 415 and runs nothing', async () => {
      const body = JSON.stringify({ url: sink.url('/cross-site') });
      for (const headers of [{ 'content-type': 'text/plain;charset=UTF-8' }, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'multipart/form-data; boundary=x' }, {}]) {
        for (const chunked of [false, true]) {
          const answer = await rawRequest(proxy.url, { method: 'POST', path: '/v1/do/http/PostRequest', headers, body, chunked });
          const envelope = assertAnswered(answer, `POST with ${JSON.stringify(headers)}`);
          assert.equal(answer.status, 415);
          assert.equal(envelope.error?.error_code, 'unsupported_media_type');
          assert.match(envelope.error?.message ?? '', /Content-Type: application\/json/);
        }
      }
      assert.deepEqual(sink.requests.filter((request) => request.url === '/cross-site'), [], 'a refused call reached the third party');
      // JSON media types with parameters are read as usual, as the engine (Python requests' json=) sends them.
      for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/vnd.api+json']) {
        const answer = await post('http/PostRequest', body, { 'content-type': type });
        assert.equal(answer.status, 200, `${type}: ${answer.text}`);
        assert.equal(envelopeOf(answer, type).error, null);
      }
      assert.equal(sink.requests.filter((request) => request.url === '/cross-site').length, 4);
    });

    test('a background call whose spiff__callback_url the egress policy denies is a 400 callback_url_denied, and its third party is never called (it used to be accepted, run, then fail)', async () => {
      const before = sink.requests.length;
      for (const callback of ['http://10.9.8.7/v1.0/tasks/1/x/callback', 'http://169.254.169.254/latest', 'http://metadata.google.internal/cb', 'http://[fd00:ec2::254]/cb']) {
        const answer = await post('http/PostRequest', JSON.stringify({ url: sink.url('/charge'), data: { amount: 1 }, run_async: true, spiff__callback_url: callback }));
        const envelope = assertAnswered(answer, `callback ${callback}`);
        assert.equal(answer.status, 400, answer.text);
        assert.equal(envelope.error?.error_code, 'callback_url_denied');
        assert.match(envelope.error?.message ?? '', /^spiff__callback_url: Connections to \S+ are not allowed by this proxy's egress policy/);
      }
      assert.equal(sink.requests.length, before, 'nothing ran');
      await assertStillServing();
    });

    test('a __proto__ key is refused by name, not as JSON that does not parse', async () => {
      const answer = await post('http/GetRequest', `{"url":${JSON.stringify(sink.url())},"headers":{"__proto__":{"x":"1"}}}`);
      const envelope = assertAnswered(answer, '__proto__');
      assert.equal(answer.status, 400);
      assert.equal(envelope.error?.error_code, 'invalid_body');
      assert.match(envelope.error?.message ?? '', /__proto__/);
    });

    test('parameter messages say what is wanted: "a string or a list", "must not be empty"', async () => {
      const answer = await post('smtp/SendEmail', JSON.stringify({ smtp_host: '', smtp_port: 1, email_subject: 's', email_body: 'b', email_to: 'a@example.org', email_from: 'b@example.org', email_cc: 5 }));
      const envelope = assertAnswered(answer, 'smtp_host "" and email_cc 5');
      assert.equal(answer.status, 400);
      assert.equal(
        envelope.error?.message,
        'Invalid parameters: smtp_host must not be empty (Host name or IP address of the SMTP server, e.g. smtp.example.org); ' +
          'email_cc must be a string or a list (Cc recipients: a comma-separated string or a list of addresses)',
      );
    });

    test('an S3 bucket name with a "/" is a 400 naming bucket, not an AWS failure without a status', async () => {
      const answer = await post('aws/UploadFileData', JSON.stringify({ file_data: 'data:text/plain;base64,aGk=', bucket: 'reports/2024', object_name: 'x' }));
      const envelope = assertAnswered(answer, 'bucket reports/2024');
      assert.equal(answer.status, 400);
      assert.equal(envelope.error?.error_code, 'invalid_parameters');
      assert.match(envelope.error?.message ?? '', /bucket /);
    });

    test('DynamoDB item_data it cannot store (1e400, or JSON text nested 20000 deep) is a 400 naming item_data, not a failure or a 500', async () => {
      for (const itemData of [{ id: 'a', n: new JsonLiteral('1e400') }, `{"id":"a","n":${nested(20_000, false).text}}`, { id: 'a', n: new JsonLiteral(nested(40, true).text) }]) {
        const body = jsonText(new JsonEntries([['table_name', 'bad_input'], ['item_data', itemData]]));
        const answer = await post('aws/AddDynamoItem', body);
        const envelope = assertAnswered(answer, `item_data ${body.slice(0, 100)}`);
        assert.equal(answer.status, 400);
        assert.equal(envelope.error?.error_code, 'invalid_parameters');
        assert.match(envelope.error?.message ?? '', /item_data /);
      }
    });

    test('{"url": 5, "attempts": "many"} names both parameters in one answer', async () => {
      const answer = await post('http/GetRequestV2', JSON.stringify({ url: 5, attempts: 'many' }));
      const envelope = assertAnswered(answer, 'url 5 and attempts "many"');
      assert.equal(answer.status, 400);
      assert.equal(envelope.error?.error_code, 'invalid_parameters');
      assert.match(envelope.error?.message ?? '', /^Invalid parameters: url .*; attempts must be a whole number/);
    });

    test('a URL of another scheme is named with the other bad parameters, before anything is sent', async () => {
      for (const url of ['ftp://127.0.0.1/x', 'not a url', '']) {
        const answer = await post('http/GetRequestV2', JSON.stringify({ url, attempts: 99 }));
        const envelope = assertAnswered(answer, `url ${JSON.stringify(url)}`);
        assert.equal(answer.status, 400);
        assert.match(envelope.error?.message ?? '', /^Invalid parameters: url .*; attempts must be at most 10$/, url);
      }
    });

    test('a convertible value beside a wrong one is not reported as wrong', async () => {
      const answer = await post('smtp/SendEmail', JSON.stringify({ smtp_host: '127.0.0.1', smtp_port: '25', email_subject: [], email_body: 'b', email_to: 'a@example.org', email_from: 'b@example.org' }));
      const envelope = assertAnswered(answer, 'smtp_port "25" beside email_subject []');
      assert.equal(answer.status, 400);
      assert.match(envelope.error?.message ?? '', /email_subject/);
      assert.doesNotMatch(envelope.error?.message ?? '', /smtp_port/);
    });
  });
});

describe('bad API keys thrown at a proxy that has one', () => {
  const KEY = 'bad-input-key-0123456789';
  let proxy: RunningProxy;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-bad-key-'));

  before(async () => {
    proxy = await startProxy({ connectors: [], env: { CONNECTOR_PROXY_API_KEY: KEY, CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
  });
  after(async () => {
    await proxy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('any key but the key is a 401 unauthorized envelope; liveness stays open', async () => {
    // What a header value can carry on the wire: Latin-1 text without control characters.
    const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 60 });
    const wrongKey = fc.oneof(
      headerText,
      fc.constantFrom(` ${KEY}`, `${KEY} `, KEY.toUpperCase(), KEY.slice(0, -1), `${KEY}x`, `${KEY}, ${KEY}`, '', 'x'.repeat(8000)),
    ).filter((key) => key.trim() !== KEY);
    await fc.assert(
      fc.asyncProperty(wrongKey, fc.constantFrom('/v1/commands', '/v1/auths', '/v1/do/http/GetRequest', '/v1/jobs/x', '/metrics', '/nowhere'), async (key, target) => {
        const method = target.startsWith('/v1/do') ? 'POST' : 'GET';
        const answer = await rawRequest(proxy.url, { method, path: target, headers: { 'spiff-connector-proxy-api-key': key, ...JSON_HEADERS }, body: method === 'POST' ? '{}' : '' });
        const envelope = assertAnswered(answer, `${method} ${target} with key ${JSON.stringify(key.slice(0, 80))}`);
        assert.equal(answer.status, 401);
        assert.equal(envelope.error?.error_code, 'unauthorized');
        assert.ok(!answer.text.includes(KEY), 'the answer must not reveal the key');
      }),
      runs(60),
    );
    const liveness = await rawRequest(proxy.url, { method: 'GET', path: '/liveness', headers: { 'spiff-connector-proxy-api-key': 'wrong' } });
    assert.equal(liveness.status, 200);
  });

  /** Paths of every odd shape; none is liveness, so each needs the key. */
  const ODD_PATHS = [
    '/v1/%zz', '/%', '/%E0%A4%A', '/v1/do/%E0%A4%A/x', '/v1/jobs/%zz', '/v1/commands%zz', '/v1/commands?%zz', '/%00', '/v1%2Fcommands', '/v1/do/%2e%2e/%2e%2e',
    `/v1/do/http/${'G'.repeat(150)}`, `/v1/${'x'.repeat(150)}`, `/v1/jobs/${'j'.repeat(5000)}`, `/${'y'.repeat(101)}/z`,
    '//v1//commands', '//', '///', '/v1/commands/', '/v1/commands//', '/v1/do/http/GetRequest/', '/v1/jobs/', '/liveness/', '/liveness//', '/v1/liveness/x', '/liveness%2F',
    '/V1/COMMANDS', '/LIVENESS', '/v1/./commands', '/v1/../v1/commands', '/liveness/../v1/commands', '/v1/commands;x', '/v1/commands%00', '/metrics/', '/v1/auths/',
    '*', 'http://127.0.0.1/v1/commands', 'http://127.0.0.1/%zz',
  ];
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'PROPFIND'];

  async function callWithoutKey(method: string, target: string): Promise<RawAnswer> {
    const withBody = method !== 'GET' && method !== 'HEAD';
    return rawRequest(proxy.url, { method, path: target, headers: withBody ? JSON_HEADERS : {}, ...(withBody ? { body: '{}' } : {}) });
  }

  test('paths of every odd shape (bad percent-encoding, long parts, double or trailing slashes, dot segments, absolute form) are a 401 without the key, by any method', async () => {
    for (const target of ODD_PATHS) {
      for (const method of METHODS) {
        const answer = await callWithoutKey(method, target);
        const where = `${method} ${target.slice(0, 80)}`;
        assert.equal(answer.status, 401, `${where}: ${answer.status} ${answer.text.slice(0, 200)}`);
        // A HEAD answer has no body to carry the envelope.
        if (method !== 'HEAD') assert.equal(assertAnswered(answer, where).error?.error_code, 'unauthorized');
      }
    }
  });

  test('any method on any path is a 401 without the key, but liveness and CORS preflight', async () => {
    const open = new Set(['/', '/liveness', '/v1/liveness']);
    const target = fc.oneof(
      fc.array(pathSegment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
      fc.tuple(fc.constantFrom('/v1/do/', '/v1/jobs/', '/v1/', '/liveness', '/'), pathSegment, fc.option(pathSegment)).map(([base, a, b]) => `${base}${a}${b === null ? '' : `/${b}`}`),
      fc.tuple(fc.constantFrom(...ODD_PATHS), fc.option(fc.constantFrom('?a=%zz', '?', '#x', '?__proto__[x]=1'))).map(([base, query]) => `${base}${query ?? ''}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), target, async (method, pathAndQuery) => {
        const answer = await callWithoutKey(method, pathAndQuery);
        const pathOnly = pathAndQuery.split('?')[0] as string;
        const where = `${method} ${pathAndQuery.slice(0, 80)}`;
        // Liveness paths are open by any method (GET and HEAD answer 200, others 404).
        if (!open.has(pathOnly)) assert.equal(answer.status, 401, `${where}: ${answer.status} ${answer.text.slice(0, 200)}`);
        else assert.equal(answer.status, method === 'GET' || method === 'HEAD' ? 200 : 404, where);
      }),
      runs(150),
    );
  });

  test('liveness answers without the key, with any query; CORS preflight is never refused for want of it', async () => {
    for (const target of ['/', '/liveness', '/v1/liveness', '/liveness?x=%zz', '/v1/liveness?a=1&a=2']) {
      for (const method of ['GET', 'HEAD']) {
        const answer = await rawRequest(proxy.url, { method, path: target });
        assert.equal(answer.status, 200, `${method} ${target}`);
      }
    }
    const preflight = { origin: 'https://editor.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,spiff-connector-proxy-api-key' };
    for (const target of ['/v1/do/http/GetRequest', '/v1/commands', '/v1/auths', '/v1/jobs/x', '/nowhere', '/v1/commands/']) {
      const answer = await rawRequest(proxy.url, { method: 'OPTIONS', path: target, headers: preflight });
      assert.equal(answer.status, 204, `OPTIONS ${target}: ${answer.text}`);
      assert.equal(answer.headers['access-control-allow-origin'], '*');
    }
    // Preflight of a path the router cannot read names nothing: whatever it answers, it is not a 401 or a 5xx.
    for (const target of ['/v1/%zz', '/%', `/v1/do/http/${'G'.repeat(150)}`]) {
      const answer = await rawRequest(proxy.url, { method: 'OPTIONS', path: target, headers: preflight });
      assert.ok(answer.status !== 401 && answer.status < 500, `OPTIONS ${target}: ${answer.status} ${answer.text}`);
    }
  });
});

/** True when `text` is JSON whose value is an object (what a command call's body must be); a leading byte-order mark is allowed. */
function parsesToObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** How deep objects and arrays nest in `value` (a scalar is 0), and whether any object has a `__proto__` key; without recursion. */
function shapeOf(value: unknown): { depth: number; protoKey: boolean } {
  let depth = 0;
  let protoKey = false;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, level] = pending.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    depth = Math.max(depth, level + 1);
    protoKey ||= Object.hasOwn(item, '__proto__');
    for (const child of Object.values(item)) pending.push([child, level + 1]);
  }
  return { depth, protoKey };
}

/** A value the schema refuses whatever else the call holds (the proxy converts "25" to 25, 7 to "7", "true" to true). */
function definitelyWrong(type: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  switch (type) {
    case 'str':
      return typeof value === 'object';
    case 'int':
      if (typeof value === 'number') return !Number.isInteger(value);
      return typeof value === 'string' ? !/^-?\d+$/.test(value.trim()) : true;
    case 'bool':
      return typeof value !== 'boolean' && value !== 'true' && value !== 'false';
    default:
      return false;
  }
}

/**
 * What an answer to one generated call must be, given what the call held: the size limit, then
 * the body's own problems, then every missing or mistyped parameter named, else whatever the
 * command made of it (a result, a third party's failure, or a problem it names).
 */
function checkCommandAnswer(command: CommandDescriptor, text: string, answer: RawAnswer): Envelope {
  const where = `POST /v1/do/${command.id} ${text.slice(0, 400)}`;
  const envelope = assertAnswered(answer, where);
  const code = envelope.error?.error_code;
  const message = envelope.error?.message ?? '';
  const context = `${where}\n=> ${answer.status} ${answer.text.slice(0, 400)}`;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    assert.equal(code, 'payload_too_large', context);
    return envelope;
  }
  const body = JSON.parse(text) as Record<string, unknown>;
  const shape = shapeOf(body);
  if (shape.protoKey || shape.depth > TOO_DEEP.min) {
    assert.equal(code, 'invalid_body', context);
    return envelope;
  }
  const named = command.parameters
    .filter(({ id, type, required }) => (required && (body[id] === undefined || body[id] === null)) || definitelyWrong(type, body[id]))
    .map(({ id }) => id);
  // A message names what is wanted, never an empty list of choices.
  assert.doesNotMatch(message, /one of\s*(?:[,;(]|$)|must be\s*(?:[,;(]|$)/, context);
  if (named.length > 0) {
    assert.equal(answer.status, 400, context);
    assert.equal(code, 'invalid_parameters', context);
    for (const id of named) assert.ok(message.includes(`${id} `), `${context}\n(should name ${id})`);
    return envelope;
  }
  if (answer.status === 400) {
    assert.equal(code, 'invalid_parameters', context);
    const names = [...command.parameters.map(({ id }) => id), 'spiff__callback_url'];
    assert.ok(names.some((id) => message.includes(id)), `${context}\n(names no parameter)`);
  }
  if (answer.status === 202) {
    assert.ok(body.run_async === true || body.run_async === 'true', context);
    assert.match(String((envelope.command_response.body as { job_id?: unknown }).job_id), /^[0-9a-f-]{36}$/, context);
  }
  return envelope;
}
