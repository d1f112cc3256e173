import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { commandError, defineCommand, defineConnector, Type } from '@connector-proxy/sdk';
import { createProxy, type ProxyOptions } from '@connector-proxy/server';

const SLOW_CONNECTOR = fileURLToPath(new URL('./fixtures/slow-connector.mjs', import.meta.url));
const QUIET = { CONNECTOR_PROXY_LOG_LEVEL: 'silent' };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a test walks a JSON document

/** The `/openapi.json` of a proxy made with `options`, checked against the OpenAPI 3.1 schema. */
async function openApiOf(options: ProxyOptions, headers: Record<string, string> = {}): Promise<Json> {
  const proxy = await createProxy({ ...options, env: { ...QUIET, ...options.env } });
  try {
    const response = await proxy.app.inject({ method: 'GET', url: '/openapi.json', headers });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const document = response.json() as Json;
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
    // Every $ref points at something.
    assert.doesNotThrow(() => validator.resolveRefs());
    return document;
  } finally {
    await proxy.close();
  }
}

const bodySchemaOf = (document: Json, id: string): Json => document.paths[`/v1/do/${id}`].post.requestBody.content['application/json'].schema;
const errorCodeOf = (document: Json, id: string, status = '200'): Json =>
  document.paths[`/v1/do/${id}`].post.responses[status].content['application/json'].schema.properties.error.oneOf[1].properties.error_code;

/** True when `code` is allowed by an error-code schema made of an enum and patterns. */
function codeAllowed(schema: Json, code: string): boolean {
  return schema.anyOf.some((option: Json) => (option.enum ? option.enum.includes(code) : new RegExp(option.pattern).test(code)));
}

describe('GET /openapi.json', () => {
  test('describes every built-in command as its own operation, with its parameters, the spiff__ keys and its error codes', async () => {
    const document = await openApiOf({});
    assert.equal(document.openapi, '3.1.0');
    const proxy = await createProxy({ env: QUIET });
    const ids = ((await proxy.app.inject({ method: 'GET', url: '/v1/commands' })).json() as Array<{ id: string }>).map((c) => c.id);
    await proxy.close();
    assert.ok(ids.length > 10);
    for (const id of ids) assert.ok(document.paths[`/v1/do/${id}`]?.post, `${id} has an operation`);

    const get = document.paths['/v1/do/http/GetRequest'].post;
    assert.equal(get['x-command-id'], 'http/GetRequest');
    assert.deepEqual(get.tags, ['http']);
    const [parameters, context] = bodySchemaOf(document, 'http/GetRequest').allOf;
    assert.equal(parameters.properties.url.type, 'string');
    assert.deepEqual(parameters.required, ['url']);
    assert.ok('headers' in parameters.properties && 'run_async' in parameters.properties);
    assert.deepEqual(context, { $ref: '#/components/schemas/SpiffContext' });
    const spiffKeys = Object.keys(document.components.schemas.SpiffContext.properties);
    assert.deepEqual(spiffKeys.sort(), ['spiff__callback_url', 'spiff__process_instance_id', 'spiff__process_model_identifier', 'spiff__task_data', 'spiff__task_id']);

    const httpCodes = errorCodeOf(document, 'http/GetRequest');
    for (const code of ['ConnectionRefused', 'UpstreamTimeout', 'HttpError404', 'HttpError503', 'EgressDenied', 'command_timeout']) {
      assert.ok(codeAllowed(httpCodes, code), `${code} is a documented http code`);
    }
    assert.ok(!codeAllowed(httpCodes, 'HttpErrorABC') && !codeAllowed(httpCodes, 'SmtpTimeout'));
    assert.ok(codeAllowed(errorCodeOf(document, 'smtp/SendEmail'), 'SmtpAuthenticationFailed'));
    assert.ok(codeAllowed(errorCodeOf(document, 'postgres/SelectValues'), 'PostgresTableNotFound'));
    assert.ok(get.responses['202'], 'a command that may run in the background documents 202');
    assert.deepEqual(get.responses['400'], { $ref: '#/components/responses/BadRequest' });
    assert.equal(get.responses['401'], undefined, 'no key configured: no 401');
    assert.deepEqual(get.security, []);

    for (const path of ['/v1/commands', '/v1/auths', '/v1/jobs', '/v1/jobs/{id}', '/liveness', '/readyz', '/metrics', '/explorer']) {
      assert.ok(document.paths[path]?.get, `${path} is described`);
    }
    assert.equal(document.components.schemas.Envelope.properties.command_response_version.const, 2);
    assert.ok(document.tags.some((tag: Json) => tag.name === 'smtp' && tag.description.length > 0));
  });

  test('a connector added through CONNECTOR_PROXY_CONNECTORS appears in it', async () => {
    const document = await openApiOf({ env: { CONNECTOR_PROXY_CONNECTORS: SLOW_CONNECTOR, CONNECTOR_PROXY_DISABLED_CONNECTORS: 'aws,slack' } });
    const sleep = document.paths['/v1/do/slow/Sleep'].post;
    assert.equal(bodySchemaOf(document, 'slow/Sleep').allOf[0].properties.ms.type, 'integer');
    assert.ok(sleep.responses['202']);
    assert.equal(document.paths['/v1/do/slow/Background'].post['x-asynchronous'], 'always');
    assert.equal(document.paths['/v1/do/aws/ScanDynamoTable'], undefined, 'a disabled connector is left out');
    // The fixture declares no error codes: only the proxy's own.
    assert.deepEqual(sleep['x-error-codes'], ['command_timeout']);
  });

  test("a connector's parameter descriptions and declared code families are published", async () => {
    const lookUp = defineCommand({
      name: 'LookUp',
      description: 'Looks a word up',
      parameters: { word: Type.String({ description: 'The word to look up', minLength: 1 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })) },
      async run() {
        throw commandError({ code: 'DictionaryError500', message: 'down' });
      },
    });
    const connector = defineConnector({ name: 'dictionary', description: 'Words', errorCodes: ['WordUnknown', 'DictionaryError{status}'], commands: [lookUp] });
    const document = await openApiOf({ connectors: [connector] });
    const operation = document.paths['/v1/do/dictionary/LookUp'].post;
    assert.equal(operation.summary, 'Looks a word up');
    const parameters = bodySchemaOf(document, 'dictionary/LookUp').allOf[0];
    assert.deepEqual(parameters.properties.word, { type: 'string', description: 'The word to look up', minLength: 1 });
    assert.deepEqual(parameters.properties.limit, { type: 'integer', minimum: 1, maximum: 9 });
    assert.equal(operation.responses['202'], undefined, 'a command that never runs in the background has no 202');
    const codes = errorCodeOf(document, 'dictionary/LookUp');
    assert.ok(codeAllowed(codes, 'WordUnknown') && codeAllowed(codes, 'DictionaryError500'));
    assert.ok(!codeAllowed(codes, 'DictionaryError{status}') && !codeAllowed(codes, 'DictionaryError5000'));
  });

  test('with an API key the document is behind it and names the key scheme on protected operations', async () => {
    const key = 'k-0123456789';
    const proxy = await createProxy({ env: { ...QUIET, CONNECTOR_PROXY_API_KEY: key } });
    try {
      const refused = await proxy.app.inject({ method: 'GET', url: '/openapi.json' });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json().error.error_code, 'unauthorized');
    } finally {
      await proxy.close();
    }
    const document = await openApiOf({ env: { CONNECTOR_PROXY_API_KEY: key } }, { 'spiff-connector-proxy-api-key': key });
    const scheme = document.components.securitySchemes.SpiffConnectorProxyApiKey;
    assert.deepEqual({ type: scheme.type, in: scheme.in, name: scheme.name }, { type: 'apiKey', in: 'header', name: 'Spiff-Connector-Proxy-Api-Key' });
    const get = document.paths['/v1/do/http/GetRequest'].post;
    assert.deepEqual(get.security, [{ SpiffConnectorProxyApiKey: [] }]);
    assert.deepEqual(get.responses['401'], { $ref: '#/components/responses/Unauthorized' });
    assert.deepEqual(document.paths['/v1/commands'].get.security, [{ SpiffConnectorProxyApiKey: [] }]);
    assert.deepEqual(document.paths['/liveness'].get.security, [], 'liveness stays open');
    for (const open of ['/v1/typeahead/{category}', '/v1/auth/{provider}/OAuth', '/v1/auth/{provider}/OAuth/callback']) {
      assert.deepEqual(document.paths[open]?.get.security, [], `${open} is documented, outside the key as it is served`);
    }
  });
});
