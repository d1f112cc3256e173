/**
 * The parts of `/openapi.json` every operation shares: the envelope, the engine's `spiff__*`
 * keys, job statuses, the API-key scheme and the proxy's own error answers (docs/protocol.md).
 */
import { ProxyErrorCodes } from '../errors.js';

/** A JSON Schema object as OpenAPI 3.1 takes it (draft 2020-12). */
export type JsonSchema = Record<string, unknown>;

export const API_KEY_SCHEME = 'SpiffConnectorProxyApiKey';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The envelope whose `error.error_code` is one of `errorCode`'s values (any string when not given). */
export function envelopeSchema(errorCode: JsonSchema = { type: 'string' }): JsonSchema {
  return {
    type: 'object',
    required: ['command_response', 'command_response_version', 'error', 'spiff__logs'],
    properties: {
      command_response: ref('CommandResponse'),
      command_response_version: { const: 2 },
      error: {
        description: '`null` when the command succeeded. BPMN error boundary events catch by `error_code`.',
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            required: ['error_code', 'message'],
            properties: {
              error_code: errorCode,
              message: { type: 'string', description: 'What happened, for people; never a secret.' },
            },
          },
        ],
      },
      spiff__logs: { type: 'array', items: { type: 'string' }, description: "The command's log lines; the engine copies them into its own log." },
    },
  };
}

/** The `spiff__*` keys the engine adds to every call: context for the command, never parameters, never forwarded. */
const SPIFF_CONTEXT: JsonSchema = {
  type: 'object',
  description: 'Keys the SpiffWorkflow backend adds to every call. They are context for the command, never parameters, and never reach a third party.',
  properties: {
    spiff__process_instance_id: { type: ['integer', 'string'], description: 'The process instance that called.' },
    spiff__process_model_identifier: { type: 'string', description: 'The process model of that instance.' },
    spiff__task_id: { type: 'string', description: 'The service task that called.' },
    spiff__task_data: { description: "The task's whole data object (can be large); given to the command as context." },
    spiff__callback_url: {
      type: 'string',
      format: 'uri',
      description: 'Where a background (asynchronous) call PUTs its envelope when done; required by background calls.',
    },
  },
};

const JOB_STATUS: JsonSchema = {
  type: 'object',
  description: "A background job's progress: never its parameters or result.",
  required: ['id', 'command', 'state', 'runs', 'delivery_attempts', 'last_error', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    command: { type: 'string', description: 'The command id, e.g. `http/GetRequest`.' },
    state: ref('JobState'),
    runs: { type: 'integer', minimum: 0, description: 'How many times the command has been started.' },
    delivery_attempts: { type: 'integer', minimum: 0, description: 'How many times the result has been sent to the callback URL.' },
    last_error: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
};

const PARAMETER_DESCRIPTOR: JsonSchema = {
  type: 'object',
  required: ['id', 'type', 'required'],
  properties: {
    id: { type: 'string' },
    type: { enum: ['str', 'int', 'bool', 'any'] },
    required: { type: 'boolean' },
    description: { type: 'string' },
  },
};

/** One of the proxy's own error answers, documented once and referred to by every operation that can give it. */
interface ProxyErrorAnswer {
  status: number;
  codes: readonly string[];
  description: string;
}

/** The proxy's own refusals, by the name operations refer to them with. */
export const PROXY_ERROR_ANSWERS = {
  BadRequest: { status: 400, codes: ['invalid_parameters', ProxyErrorCodes.invalidBody], description: 'Parameters missing or of the wrong type (the message names every bad one), or a body that is not a JSON object.' },
  Unauthorized: { status: 401, codes: [ProxyErrorCodes.unauthorized], description: 'Missing or wrong `Spiff-Connector-Proxy-Api-Key` header.' },
  NotFound: { status: 404, codes: [ProxyErrorCodes.commandNotFound, ProxyErrorCodes.routeNotFound, ProxyErrorCodes.jobNotFound], description: 'No such command, route or job.' },
  PayloadTooLarge: { status: 413, codes: [ProxyErrorCodes.payloadTooLarge], description: 'The body is over `CONNECTOR_PROXY_MAX_BODY_BYTES`.' },
  InternalError: { status: 500, codes: [ProxyErrorCodes.internalError], description: "A bug in the proxy; the details are in its log under the request id the message names. The process keeps serving." },
  Unavailable: {
    status: 503,
    codes: [ProxyErrorCodes.tooManyCalls, ProxyErrorCodes.jobStoreUnavailable],
    description: 'Too many calls in flight (`CONNECTOR_PROXY_MAX_INFLIGHT`), or the job store does not answer. `Retry-After` says when to try again; the engine retries 5xx.',
  },
} as const satisfies Record<string, ProxyErrorAnswer>;

export type ProxyErrorAnswerName = keyof typeof PROXY_ERROR_ANSWERS;

function errorResponse(answer: ProxyErrorAnswer): JsonSchema {
  const response: JsonSchema = {
    description: `${answer.description} Codes: ${answer.codes.map((code) => `\`${code}\``).join(', ')}.`,
    content: { 'application/json': { schema: envelopeSchema({ enum: [...answer.codes] }) } },
  };
  if (answer.status === 503) response.headers = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } };
  return response;
}

/** `components` of the document: schemas, shared responses and the API-key scheme. */
export function sharedComponents(): JsonSchema {
  return {
    schemas: {
      Envelope: envelopeSchema(),
      CommandResponse: {
        type: 'object',
        required: ['body', 'mimetype', 'headers'],
        properties: {
          body: { description: "What the workflow stores in the task's result variable." },
          mimetype: { type: 'string' },
          http_status: { type: 'integer', description: "The third party's status, when the command talked to one (502 unreachable, 504 timed out)." },
          headers: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
        },
      },
      SpiffContext: SPIFF_CONTEXT,
      JobState: { enum: ['accepted', 'running', 'delivering', 'delivered', 'failed'], description: '`delivered` and `failed` are final.' },
      JobStatus: JOB_STATUS,
      CommandDescriptor: {
        type: 'object',
        required: ['id', 'parameters'],
        properties: { id: { type: 'string' }, description: { type: 'string' }, parameters: { type: 'array', items: ref('ParameterDescriptor') } },
      },
      ParameterDescriptor: PARAMETER_DESCRIPTOR,
    },
    responses: Object.fromEntries(Object.entries(PROXY_ERROR_ANSWERS).map(([name, answer]) => [name, errorResponse(answer)])),
    securitySchemes: {
      [API_KEY_SCHEME]: {
        type: 'apiKey',
        in: 'header',
        name: 'Spiff-Connector-Proxy-Api-Key',
        description: 'Required when the proxy is configured with `CONNECTOR_PROXY_API_KEY`; the SpiffWorkflow backend sends it when `SPIFFWORKFLOW_BACKEND_CONNECTOR_PROXY_API_KEY` is set.',
      },
    },
  };
}

/** `responses` entries referring to shared error answers. */
export function errorResponses(names: readonly ProxyErrorAnswerName[]): Record<string, JsonSchema> {
  return Object.fromEntries(names.map((name) => [String(PROXY_ERROR_ANSWERS[name].status), { $ref: `#/components/responses/${name}` }]));
}

export { ref as schemaRef };
