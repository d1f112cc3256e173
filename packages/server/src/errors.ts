import { commandError, configurationError, SdkErrorCodes, type CommandError } from '@connector-proxy/sdk';

/**
 * The proxy's own error codes (snake_case: the proxy refused or failed the call itself, as
 * opposed to the PascalCase codes connectors give when a third party fails). Every error the
 * server makes comes from here; `envelope.ts` maps each to a status and an envelope.
 */
export const ProxyErrorCodes = {
  commandNotFound: 'command_not_found',
  routeNotFound: 'route_not_found',
  invalidBody: 'invalid_body',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  unauthorized: 'unauthorized',
  commandTimeout: 'command_timeout',
  jobNotFound: 'job_not_found',
  jobStoreUnavailable: 'job_store_unavailable',
  tooManyCalls: 'too_many_calls',
  internalError: 'internal_error',
  oauthProviderNotFound: 'oauth_provider_not_found',
  oauthRedirectMissing: 'oauth_redirect_missing',
  oauthRedirectNotAllowed: 'oauth_redirect_not_allowed',
  oauthStateInvalid: 'oauth_state_invalid',
  oauthStateExpired: 'oauth_state_expired',
  oauthStateUsed: 'oauth_state_used',
  oauthStateStoreUnavailable: 'oauth_state_store_unavailable',
  oauthProviderError: 'oauth_provider_error',
  oauthExchangeFailed: 'oauth_exchange_failed',
  typeaheadCategoryNotFound: 'typeahead_category_not_found',
  invalidTypeaheadQuery: 'invalid_typeahead_query',
  callbackUrlDenied: 'callback_url_denied',
} as const;

/**
 * True for a third party's (or a command's own work's) failure: the PascalCase codes, such as
 * `HttpError503` or `ConnectionRefused`, as opposed to the proxy's own snake_case ones. Metrics
 * count these apart and the call's log line is a warning.
 */
export function isThirdPartyFailure(code: string): boolean {
  return THIRD_PARTY_CODE.test(code);
}

const THIRD_PARTY_CODE = /^[A-Z]/;

export function commandNotFound(id: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.commandNotFound,
    status: 404,
    message: `No command ${JSON.stringify(id)} on this proxy; GET /v1/commands lists the commands it offers`,
  });
}

export function routeNotFound(method: string, path: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.routeNotFound,
    status: 404,
    message: `Nothing answers ${method} ${path}; GET /v1/commands lists the commands this proxy offers`,
  });
}

export function invalidBody(reason: string): CommandError {
  return commandError({ code: ProxyErrorCodes.invalidBody, status: 400, message: `The request body ${reason}` });
}

export function payloadTooLarge(limitBytes: number): CommandError {
  return commandError({
    code: ProxyErrorCodes.payloadTooLarge,
    status: 413,
    message: `The request body is larger than this proxy accepts (${limitBytes} bytes, CONNECTOR_PROXY_MAX_BODY_BYTES)`,
  });
}

/** The body's Content-Type is missing or not JSON; the value sent is not repeated (it comes from the caller). */
export function unsupportedMediaType(): CommandError {
  return commandError({
    code: ProxyErrorCodes.unsupportedMediaType,
    status: 415,
    message: 'The request body must be JSON, sent with the header Content-Type: application/json (or another JSON media type)',
  });
}

export function unauthorized(): CommandError {
  return commandError({
    code: ProxyErrorCodes.unauthorized,
    status: 401,
    message: 'Missing or wrong Spiff-Connector-Proxy-Api-Key header',
  });
}

export function commandTimeout(id: string, timeoutMs: number): CommandError {
  return commandError({
    code: ProxyErrorCodes.commandTimeout,
    httpStatus: 504,
    message: `${id} did not finish within ${timeoutMs} ms (CONNECTOR_PROXY_COMMAND_TIMEOUT_MS)`,
  });
}

export function internalError(requestId: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.internalError,
    status: 500,
    message: `The connector proxy failed unexpectedly; the details are in its log under request id ${requestId}`,
  });
}

export function jobNotFound(id: string): CommandError {
  return commandError({ code: ProxyErrorCodes.jobNotFound, status: 404, message: `No job ${JSON.stringify(id)} on this proxy` });
}

export function jobStoreUnavailable(): CommandError {
  return commandError({
    code: ProxyErrorCodes.jobStoreUnavailable,
    status: 503,
    retryAfterSeconds: 5,
    message: 'The job store did not answer; the details are in the proxy\'s log',
  });
}

/** The engine retries a 503; `Retry-After` tells it (and any client) when. */
export function tooManyCalls(limit: number): CommandError {
  return commandError({
    code: ProxyErrorCodes.tooManyCalls,
    status: 503,
    retryAfterSeconds: 1,
    message: `The connector proxy is already handling its limit of ${limit} calls (CONNECTOR_PROXY_MAX_INFLIGHT); try again shortly`,
  });
}

// OAuth2 browser routes (routes/oauth.ts). Their messages are shown on a page to the person
// connecting: they never quote a code, a token or a state.

export function oauthProviderNotFound(id: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthProviderNotFound,
    status: 404,
    message: `No OAuth provider ${JSON.stringify(id)} on this proxy; GET /v1/auths lists those it offers`,
  });
}

export function oauthRedirectMissing(): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthRedirectMissing,
    status: 400,
    message: 'The link has no redirect_url: start the connection from SpiffArena\'s Authentications page',
  });
}

export function oauthRedirectNotAllowed(): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthRedirectNotAllowed,
    status: 400,
    message: 'redirect_url is not on this proxy\'s list of allowed origins (CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW); nobody was sent there',
  });
}

export function oauthStateInvalid(): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthStateInvalid,
    status: 400,
    message: 'The answer from the provider carries no valid state (it was not started here, or was altered): start the connection again',
  });
}

export function oauthStateExpired(): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthStateExpired,
    status: 400,
    message: 'The connection took more than 10 minutes to finish: start it again',
  });
}

export function oauthStateUsed(): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthStateUsed,
    status: 400,
    message: 'This connection was already finished (its state can be used once): start it again to reconnect',
  });
}

export function oauthStateStoreUnavailable(): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthStateStoreUnavailable,
    status: 503,
    message: 'The proxy could not check that this connection is finished only once (its Redis did not answer); start it again shortly',
  });
}

/** `providerCode` is the provider's `error` parameter (e.g. `access_denied`), checked to be a plain token. */
export function oauthProviderError(provider: string, providerCode: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthProviderError,
    status: 400,
    message: `${provider} did not grant access (${providerCode}); nothing was stored`,
  });
}

/** `reason` says what went wrong at the token endpoint, never quoting its answer. */
export function oauthExchangeFailed(provider: string, reason: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.oauthExchangeFailed,
    status: 502,
    message: `${provider}'s token endpoint did not give a token: ${reason}`,
  });
}

/** A refresh at the provider failed: the engine's stored set is no longer usable (PascalCase: a third party failed). */
export function oauthRefreshFailed(auth: string, reason: string): CommandError {
  return commandError({
    code: SdkErrorCodes.oauthRefreshFailed,
    httpStatus: 401,
    message: `The ${auth} token could not be refreshed: ${reason}; reconnect it on SpiffArena's Authentications page`,
  });
}

export function typeaheadCategoryNotFound(category: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.typeaheadCategoryNotFound,
    status: 404,
    message: `No typeahead category ${JSON.stringify(category)} on this proxy: a category is a <category>.json file in CONNECTOR_PROXY_TYPEAHEAD_DIR`,
  });
}

/** `parameter` is `prefix` or `limit`; `problem` says what is wrong with it. */
export function invalidTypeaheadQuery(parameter: string, problem: string): CommandError {
  return commandError({ code: ProxyErrorCodes.invalidTypeaheadQuery, status: 400, message: `The typeahead query's ${parameter} ${problem}` });
}

/** Typeahead data that cannot be served stops the start: `problem` names the file and, within it, the item. */
export function invalidTypeaheadData(problem: string): CommandError {
  return configurationError('CONNECTOR_PROXY_TYPEAHEAD_DIR', problem);
}

/** A background call whose result could never be delivered: refused before anything runs. */
export function callbackUrlDenied(reason: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.callbackUrlDenied,
    status: 400,
    message: `spiff__callback_url: ${reason}. The result could never be delivered there, so the job was not accepted`,
  });
}

/** Why a listening socket could not be opened, in the operator's terms, by the system's error code. */
const LISTEN_PROBLEMS: Readonly<Record<string, (host: string, port: number) => [variable: string, problem: string]>> = {
  EADDRINUSE: (host, port) => ['PORT', `${port} is already in use on ${host}: stop what listens there, or choose another port`],
  EACCES: (_host, port) => ['PORT', `${port} needs privileges this process lacks: choose a port above 1023`],
  EADDRNOTAVAIL: (host) => ['HOST', `${host} is not an address of this machine: use one of its addresses, 127.0.0.1, or 0.0.0.0 for all`],
  ENOTFOUND: (host) => ['HOST', `${host} is not a known host name or address`],
  EAI_AGAIN: (host) => ['HOST', `${host} could not be resolved now (the name service did not answer)`],
  EAI_FAIL: (host) => ['HOST', `${host} could not be resolved`],
};

/** The listening socket could not be opened: a configuration mistake, said in one line; `undefined` for other errors. */
export function cannotListen(error: unknown, host: string, port: number): CommandError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const problem = typeof code === 'string' ? LISTEN_PROBLEMS[code] : undefined;
  if (problem === undefined) return undefined;
  const [variable, message] = problem(host, port);
  return configurationError(variable, `${message} (${code as string})`);
}
