/**
 * `GET /openapi.json`: the proxy described in OpenAPI 3.1, made once at start from the command
 * registry. Each command is its own operation on `/v1/do/{connector}/{command}`, its request
 * body the command's TypeBox schema (JSON Schema already) beside the engine's `spiff__*` keys,
 * its 200 answer the envelope with the error codes its connector declares.
 */
import type { CommandRegistry, RegisteredCommand } from '../command-registry.js';
import { ProxyErrorCodes } from '../errors.js';
import { packageVersion } from '../package-folder.js';
import {
  API_KEY_SCHEME,
  envelopeSchema,
  errorResponses,
  schemaRef,
  sharedComponents,
  type JsonSchema,
  type ProxyErrorAnswerName,
} from './openapi-components.js';

/** What the document says about the proxy as configured. */
export interface OpenApiOptions {
  /** True when `CONNECTOR_PROXY_API_KEY` is set: protected operations then name the key scheme. */
  apiKeyRequired: boolean;
}

/** Builds the whole document; the result is plain JSON data. */
export function buildOpenApiDocument(registry: CommandRegistry, options: OpenApiOptions): JsonSchema {
  const security = options.apiKeyRequired ? [{ [API_KEY_SCHEME]: [] }] : [];
  const protectedErrors: ProxyErrorAnswerName[] = options.apiKeyRequired ? ['Unauthorized'] : [];
  const entries = [...registry.all];
  const paths: Record<string, JsonSchema> = { ...fixedPaths(security, protectedErrors) };
  for (const entry of entries) paths[`/v1/do/${entry.id}`] = { post: commandOperation(entry, security, protectedErrors) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'connector-proxy',
      version: packageVersion(),
      description:
        'A connector proxy for SpiffWorkflow / SpiffArena service tasks. Every command answers in the version-2 envelope; ' +
        '`error.error_code` is a stable identifier BPMN error boundary events catch. The wire contract is docs/protocol.md.',
    },
    tags: connectorTags(entries),
    paths,
    components: sharedComponents(),
  };
}

function connectorTags(entries: readonly RegisteredCommand[]): JsonSchema[] {
  const seen = new Map<string, string>();
  for (const { connector } of entries) if (!seen.has(connector.name)) seen.set(connector.name, connector.description);
  return [...seen].map(([name, description]) => (description ? { name, description } : { name }));
}

function commandOperation(entry: RegisteredCommand, security: JsonSchema[], protectedErrors: ProxyErrorAnswerName[]): JsonSchema {
  const { command, connector } = entry;
  // `?? []`: a connector made by an older copy of the SDK has no errorCodes.
  const codes = [...(connector.errorCodes ?? []), ProxyErrorCodes.commandTimeout];
  const responses: Record<string, JsonSchema> = {
    '200': {
      description:
        "The command ran. `command_response.http_status` is the third party's status; `error` is set when it failed, " +
        `with one of: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
      content: { 'application/json': { schema: envelopeSchema(errorCodeSchema(codes)) } },
    },
  };
  if (command.asynchronous !== 'never') {
    responses['202'] = {
      description: 'Accepted as a background job: `command_response.body` is `{"job_id", "state", "status_url"}`; the envelope is PUT to `spiff__callback_url` when done.',
      content: { 'application/json': { schema: schemaRef('Envelope') } },
    };
  }
  Object.assign(responses, errorResponses(['BadRequest', ...protectedErrors, 'PayloadTooLarge', 'InternalError', 'Unavailable']));
  return {
    operationId: entry.id.replace(/[^A-Za-z0-9_]/g, '_'),
    tags: [connector.name],
    summary: command.description || entry.id,
    description: operationNotes(entry),
    security,
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { allOf: [plainSchema(entry.schema), schemaRef('SpiffContext')] } } },
    },
    responses,
    'x-command-id': entry.id,
    'x-asynchronous': command.asynchronous,
    'x-error-codes': codes,
  };
}

function operationNotes(entry: RegisteredCommand): string {
  const notes = [`Runs \`${entry.id}\`. Parameters it does not declare are ignored; optional ones sent as \`null\` are absent.`];
  if (entry.command.asynchronous === 'always') notes.push('Always runs in the background: answered 202, the envelope PUT to `spiff__callback_url` (required).');
  if (entry.command.asynchronous === 'optional') notes.push('With `run_async: true` it runs in the background: answered 202, the envelope PUT to `spiff__callback_url` (required then).');
  if (entry.command.idempotent) notes.push('Idempotent: a background job runs it again after a transient failure.');
  return notes.join(' ');
}

/** A code written with a placeholder (`HttpError{status}`) is a family: a pattern rather than a value. */
function errorCodeSchema(codes: readonly string[]): JsonSchema {
  const values = codes.filter((code) => !code.includes('{'));
  const families = codes.filter((code) => code.includes('{')).map((code) => ({ type: 'string', pattern: familyPattern(code), description: code }));
  return { anyOf: [{ enum: values }, ...families] };
}

function familyPattern(code: string): string {
  const parts = code.split(/(\{[^}]*\})/).filter((part) => part !== '');
  const pattern = parts.map((part) => (part === '{status}' ? '[1-5][0-9]{2}' : part.startsWith('{') ? '[A-Za-z0-9_]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return `^${pattern.join('')}$`;
}

/** A TypeBox schema as plain JSON (its symbol keys dropped): JSON Schema 2020-12, as OpenAPI 3.1 reads it. */
function plainSchema(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

const json = (schema: JsonSchema): JsonSchema => ({ content: { 'application/json': { schema } } });

/** The routes besides the commands. */
function fixedPaths(security: JsonSchema[], protectedErrors: ProxyErrorAnswerName[]): Record<string, JsonSchema> {
  const open: JsonSchema[] = [];
  const liveness = { get: { summary: 'Liveness: the process is serving', security: open, responses: { '200': { description: '`{"status":"ok"}`', ...json({ type: 'object', properties: { status: { const: 'ok' } } }) } } } };
  return {
    '/': {
      get: {
        summary: 'Where to start: JSON pointers for clients, a link to the explorer for browsers',
        security: open,
        responses: { '200': { description: 'JSON (or HTML when the client prefers text/html)', ...json({ type: 'object' }) } },
      },
    },
    '/v1/commands': {
      get: {
        summary: 'Every command with its parameters (`str`, `int`, `bool`, `any`; `required`)',
        security,
        responses: { '200': { description: 'The commands', ...json({ type: 'array', items: schemaRef('CommandDescriptor') }) }, ...errorResponses(protectedErrors) },
      },
    },
    '/v1/auths': {
      get: {
        summary: 'Authentication schemes offered (same shape as /v1/commands)',
        security,
        responses: { '200': { description: 'The schemes (`[]` when there are none)', ...json({ type: 'array', items: schemaRef('CommandDescriptor') }) }, ...errorResponses(protectedErrors) },
      },
    },
    '/v1/jobs': {
      get: {
        summary: 'Recent background jobs, newest first',
        security,
        parameters: [
          { name: 'state', in: 'query', required: false, description: 'Only jobs in this state.', schema: schemaRef('JobState') },
          { name: 'limit', in: 'query', required: false, description: 'How many jobs at most.', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        ],
        responses: {
          '200': { description: 'The jobs', ...json({ type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: schemaRef('JobStatus') } } }) },
          ...errorResponses(['BadRequest', ...protectedErrors, 'Unavailable']),
        },
      },
    },
    '/v1/jobs/{id}': {
      get: {
        summary: "A background job's state, runs, delivery attempts and last error",
        security,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The job', ...json(schemaRef('JobStatus')) }, ...errorResponses([...protectedErrors, 'NotFound', 'Unavailable']) },
      },
    },
    '/liveness': liveness,
    '/v1/liveness': liveness,
    '/readyz': {
      get: {
        summary: 'Readiness: every connector set up and the job store answering',
        security: open,
        responses: {
          '200': { description: 'Ready', ...json({ type: 'object', properties: { status: { const: 'ready' }, commands: { type: 'integer', description: 'Commands served.' } } }) },
          '503': { description: 'Not ready; `reason` says why', ...json({ type: 'object', properties: { status: { const: 'not_ready' }, reason: { type: 'string' } } }) },
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus text: calls, durations, third-party failures, jobs, process metrics',
        security,
        responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errorResponses(protectedErrors) },
      },
    },
    '/openapi.json': {
      get: {
        summary: 'This document',
        security,
        responses: { '200': { description: 'OpenAPI 3.1', ...json({ type: 'object' }) }, ...errorResponses(protectedErrors) },
      },
    },
    '/v1/typeahead/{category}': {
      get: {
        summary: "Form-field suggestions: the results of the category's items whose search_term starts with prefix, case-insensitively, in search_term order",
        security: open,
        parameters: [
          { name: 'category', in: 'path', required: true, description: 'A `<category>.json` file of CONNECTOR_PROXY_TYPEAHEAD_DIR.', schema: { type: 'string' } },
          { name: 'prefix', in: 'query', required: false, schema: { type: 'string', default: '' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': { description: 'The matching `result` objects', ...json({ type: 'array', items: { type: 'object' } }) },
          '400': { description: '`invalid_typeahead_query`: a bad limit, or prefix or limit given twice', ...json(schemaRef('Envelope')) },
          '404': { description: '`typeahead_category_not_found`', ...json(schemaRef('Envelope')) },
        },
      },
    },
    '/v1/auth/{provider}/OAuth': {
      get: {
        summary: "The start of an OAuth2 connection in the browser, linked from SpiffArena's Authentications page",
        security: open,
        parameters: [
          { name: 'provider', in: 'path', required: true, description: 'An id of CONNECTOR_PROXY_OAUTH_PROVIDERS (GET /v1/auths lists them).', schema: { type: 'string' } },
          { name: 'redirect_url', in: 'query', required: true, description: 'Where the browser goes back to, on an origin of CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW.', schema: { type: 'string' } },
        ],
        responses: {
          '302': { description: "To the provider's consent screen (PKCE S256, a single-use state)" },
          '400': { description: 'A page with the error code (`oauth_redirect_missing`, `oauth_redirect_not_allowed`)', content: { 'text/html': { schema: { type: 'string' } } } },
          '404': { description: 'A page with `oauth_provider_not_found`', content: { 'text/html': { schema: { type: 'string' } } } },
        },
      },
    },
    '/v1/auth/{provider}/OAuth/callback': {
      get: {
        summary: "Where the provider sends the browser back: the code is exchanged and the browser sent to redirect_url with response=<token set JSON>",
        security: open,
        parameters: [
          { name: 'provider', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'state', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'code', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'error', in: 'query', required: false, description: "The provider's refusal, e.g. access_denied.", schema: { type: 'string' } },
        ],
        responses: {
          '302': { description: 'To redirect_url, its own query kept, with `response` added' },
          '400': { description: 'A page with the error code (`oauth_state_invalid`, `oauth_state_expired`, `oauth_state_used`, `oauth_provider_error`)', content: { 'text/html': { schema: { type: 'string' } } } },
          '502': { description: 'A page with `oauth_exchange_failed`', content: { 'text/html': { schema: { type: 'string' } } } },
          '503': { description: 'A page with `oauth_state_store_unavailable`', content: { 'text/html': { schema: { type: 'string' } } } },
        },
      },
    },
    '/explorer': {
      get: {
        summary: 'The command explorer: a page to read and try every command (static; its calls carry the key)',
        security: open,
        responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
  };
}
