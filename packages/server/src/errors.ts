import { commandError, type CommandError } from '@connector-proxy/sdk';

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
  unauthorized: 'unauthorized',
  commandTimeout: 'command_timeout',
  jobNotFound: 'job_not_found',
  jobStoreUnavailable: 'job_store_unavailable',
  tooManyCalls: 'too_many_calls',
  internalError: 'internal_error',
  callbackUrlDenied: 'callback_url_denied',
} as const;

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

/** A background call whose result could never be delivered: refused before anything runs. */
export function callbackUrlDenied(reason: string): CommandError {
  return commandError({
    code: ProxyErrorCodes.callbackUrlDenied,
    status: 400,
    message: `spiff__callback_url: ${reason}. The result could never be delivered there, so the job was not accepted`,
  });
}
