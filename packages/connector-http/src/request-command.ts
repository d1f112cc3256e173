/**
 * The one factory behind all HTTP commands: they differ only in method, hence in whether they
 * take a body and whether they may be retried, and in the id they answer to. Each method is
 * served under two ids that run the same code: the seed's (`http/GetRequest`) and
 * connector-http's V2 id (`http/GetRequestV2`), the one SpiffArena 2.1 and later send to a
 * proxy (they run the seed's ids themselves).
 */
import { defineCommand, type Command, type CommandContext, type CommandResult, type TProperties } from '@connector-proxy/sdk';
import { invalidJsonResponse, upstreamStatusError } from './errors.js';
import type { HttpClient } from './http-client.js';
import { retryParameters, seedParameters, v2Parameters, type ParameterLists, type RequestParameters } from './parameters.js';
import { buildRequestBody } from './request-body.js';
import { buildRequestHeaders, chooseCredentials, hasHeader } from './request-headers.js';
import { buildRequestTarget } from './request-target.js';
import { followRedirects } from './redirects.js';
import { oauthConnection, sendAuthorized, withTokenRefresh, type OAuthConnection } from './oauth-authorization.js';
import { readResponseBody } from './response-body.js';
import { responseHeaders } from './response-headers.js';
import { withRetries } from './retry-policy.js';
import { exchange, type AttemptOutcome, type HttpMethod, type OutboundRequest, type Send, type UpstreamAnswer } from './send-request.js';

export interface RequestCommandSpec {
  /** The seed's name, e.g. `GetRequest`; the V2 id adds `V2`. */
  name: string;
  method: HttpMethod;
  /** What the command does, for the editor; each id adds which SpiffArena versions reach it. */
  description: string;
}

/** One method's two commands. */
export interface RequestCommands {
  /** `http/{name}`: the seed's id and parameter order (docs/protocol.md). */
  seed: Command<HttpClient>;
  /** `http/{name}V2`: connector-http's id and parameter order. */
  v2: Command<HttpClient>;
}

const BODYLESS_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD']);
/** Methods whose repetition has the effect of one call (RFC 9110 §9.2.2): only these take `attempts`. */
const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

export function requestCommands({ name, method, description }: RequestCommandSpec): RequestCommands {
  const v2Name = `${name}V2`;
  return {
    seed: requestCommand(
      name,
      method,
      `${description}. SpiffArena 2.1 and later run this id themselves, without the proxy: choose http/${v2Name} there.`,
      seedParameters,
    ),
    v2: requestCommand(v2Name, method, `${description}. connector-http's V2 id: the one SpiffArena 2.1 and later send to this proxy.`, v2Parameters),
  };
}

function requestCommand(name: string, method: HttpMethod, description: string, lists: ParameterLists): Command<HttpClient> {
  const idempotent = IDEMPOTENT_METHODS.has(method);
  const parameters: TProperties = {
    ...(BODYLESS_METHODS.has(method) ? lists.query : lists.body),
    ...(idempotent ? retryParameters : {}),
  };
  return defineCommand<TProperties, HttpClient>({
    name,
    description,
    parameters,
    // Any call may outlive the engine's 45 s wait: the caller chooses with `run_async`.
    asynchronous: 'optional',
    idempotent,
    // The server validated `params` against `parameters`, a subset of RequestParameters.
    run: (params, context) => performRequest(method, params as RequestParameters, context),
  });
}

/**
 * Not an async function, on purpose: an async function keeps its parameters alive until it
 * returns, and `params.data` (a POST's parsed body, often thousands of objects) must not wait
 * for the answer with it: it is in `request` as bytes by then. Only the wait is async.
 */
function performRequest(method: HttpMethod, params: RequestParameters, context: CommandContext<HttpClient>): Promise<CommandResult> {
  try {
    const request = prepareRequest(method, params);
    const connection = oauthConnection(params, context.config.oauth);
    const send = params.follow_redirects === false ? exchange : followRedirects;
    const attempts = params.attempts ?? 1;
    const includeHeaders = params.include_response_headers === true;
    // The usual call takes no detour (and makes no closure) for OAuth.
    if (connection === undefined) return sendPlain(send, request, attempts, includeHeaders, context);
    return sendWithOAuth(send, request, connection, attempts, includeHeaders, context);
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

async function sendPlain(send: Send, request: OutboundRequest, attempts: number, includeHeaders: boolean, context: CommandContext<HttpClient>): Promise<CommandResult> {
  return finish(await withRetries(send, request, attempts, context), includeHeaders);
}

async function sendWithOAuth(send: Send, request: OutboundRequest, connection: OAuthConnection, attempts: number, includeHeaders: boolean, context: CommandContext<HttpClient>): Promise<CommandResult> {
  const { outcome, refresh } = await sendAuthorized(request, connection, context, (authorized) => withRetries(send, authorized, attempts, context));
  return withTokenRefresh(refresh, () => finish(outcome, includeHeaders));
}

function finish(outcome: AttemptOutcome, includeHeaders: boolean): CommandResult {
  if (!outcome.ok) throw outcome.error;
  return commandResult(outcome.answer, includeHeaders);
}

/** Everything checked and built before the first byte is sent: a bad parameter makes no request. */
function prepareRequest(method: HttpMethod, params: RequestParameters): OutboundRequest {
  const target = buildRequestTarget(params.url, params.params);
  const credentials = chooseCredentials(params.basic_auth_username, params.basic_auth_password, target.urlCredentials);
  const headers = buildRequestHeaders(params.headers, credentials);
  const { payload, contentType } = buildRequestBody(params.body_format, params.data);
  if (contentType !== undefined && !hasHeader(headers, 'content-type')) headers['content-type'] = contentType;
  // As bytes now (undici would make them from the text anyway): a body is kept until the answer
  // (a retry or a 307 sends it again), and bytes outside the JavaScript heap cost the garbage
  // collector nothing while they wait, where a text of the same size is copied at every collection.
  return { method, target, headers, payload: payload === undefined ? undefined : Buffer.from(payload) };
}

function commandResult(answer: UpstreamAnswer, includeHeaders: boolean): CommandResult {
  const { hostPort } = answer;
  const headers = includeHeaders ? responseHeaders(answer.headers) : undefined;
  const contentType = answer.headers['content-type'];
  const parsed = readResponseBody(Array.isArray(contentType) ? contentType[0] : contentType, answer.body);
  if (answer.status >= 300) throw upstreamStatusError(hostPort, answer.status, parsed.body, headers);
  if (!parsed.valid) throw invalidJsonResponse(hostPort, answer.status, parsed.body.raw_response, headers);
  return { body: parsed.body, mimetype: 'application/json', httpStatus: answer.status, ...(headers && { headers }) };
}
