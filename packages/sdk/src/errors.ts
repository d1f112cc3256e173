/**
 * Errors are values with stable codes. A workflow's BPMN error boundary events catch by
 * `code`, so a code never changes once released; the message is for people.
 *
 * Errors are recognised by a brand (`Symbol.for`), never by `instanceof`: a proxy may load
 * connectors that bundle their own copy of this SDK.
 */
import type { OAuthTokenRefresh } from './oauth.js';

const BRAND = Symbol.for('connector-proxy.error');

/** Codes the SDK itself gives out. Connector packages define their own in their `errors.ts`. */
export const SdkErrorCodes = {
  /** One or more parameters are missing, of the wrong type or out of range (status 400). */
  invalidParameters: 'invalid_parameters',
  /** A connector's configuration (an environment variable) is wrong: the proxy does not start. */
  invalidConfiguration: 'invalid_configuration',
  /** The egress policy forbids connecting to that host or address (`httpStatus` 403). */
  egressDenied: 'EgressDenied',
  /** The proxy holds as many bytes of third parties' answers as it may (`httpStatus` 503: retry later). */
  responseBudgetExceeded: 'ResponseBudgetExceeded',
  /** An OAuth2 token set could not be refreshed at its provider (`httpStatus` 401): reconnect it. */
  oauthRefreshFailed: 'OAuthRefreshFailed',
} as const;

/** A failure a command reports. The proxy turns it into a version-2 envelope. */
export interface CommandError extends Error {
  /** Stable identifier, e.g. `HttpError404`, `ConnectionRefused`, `invalid_parameters`. */
  readonly code: string;
  /** The proxy's own answer status: 200 when the command ran and a third party failed, 4xx for the caller's mistakes. */
  readonly status: number;
  /** The third party's status for `command_response.http_status` (502 unreachable, 504 timed out, ...). */
  readonly httpStatus: number | undefined;
  /** What to keep in `command_response.body`, e.g. the third party's error document. */
  readonly body: unknown;
  /** Third-party headers to keep in `command_response.headers`. */
  readonly headers: Readonly<Record<string, string | string[]>> | undefined;
  /** Seconds after which a retry may succeed; the proxy sends it as `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;
  /** A token set refreshed before the failure, still to be stored by the engine. */
  readonly tokenRefresh: OAuthTokenRefresh | undefined;
  /** The parameters an `invalid_parameters` error is about, by name (never their values): the proxy logs them. */
  readonly parameters: readonly string[] | undefined;
}

/** What {@link commandError} takes. */
export interface CommandErrorOptions {
  code: string;
  message: string;
  status?: number;
  httpStatus?: number;
  body?: unknown;
  headers?: Record<string, string | string[]>;
  retryAfterSeconds?: number;
  tokenRefresh?: OAuthTokenRefresh;
  parameters?: readonly string[];
  cause?: unknown;
}

/**
 * Makes a {@link CommandError}: the one factory for every error a connector reports.
 *
 * @example
 * throw commandError({ code: 'ConnectionRefused', httpStatus: 502,
 *   message: 'Nothing is listening at api.example.com:443' });
 */
export function commandError(options: CommandErrorOptions): CommandError {
  const error = new Error(options.message, { cause: options.cause }) as Error & Record<PropertyKey, unknown>;
  error.name = 'CommandError';
  error.code = options.code;
  error.status = options.status ?? 200;
  error.httpStatus = options.httpStatus;
  error.body = options.body;
  error.headers = options.headers;
  error.retryAfterSeconds = options.retryAfterSeconds;
  error.tokenRefresh = options.tokenRefresh;
  error.parameters = options.parameters;
  error[BRAND] = true;
  return error as unknown as CommandError;
}

/**
 * A copy of `error` with `fields` changed or added (the code stays), the original as its
 * `cause`: for a connector that learns something after the error was made, such as a token
 * set it refreshed before the call failed.
 *
 * @example
 * catch (error) { throw isCommandError(error) ? commandErrorWith(error, { tokenRefresh }) : error; }
 */
export function commandErrorWith(error: CommandError, fields: Partial<Omit<CommandErrorOptions, 'code' | 'cause'>>): CommandError {
  const { code, message, status, httpStatus, body, headers, retryAfterSeconds, tokenRefresh, parameters } = error;
  return commandError({ code, message, status, httpStatus, body, headers, retryAfterSeconds, tokenRefresh, parameters, ...fields, cause: error });
}

/**
 * True for errors made by {@link commandError}, whichever copy of the SDK made them.
 *
 * @example
 * catch (error) { if (isCommandError(error) && error.code === 'HttpError404') ... }
 */
export function isCommandError(value: unknown): value is CommandError {
  return typeof value === 'object' && value !== null && (value as Record<PropertyKey, unknown>)[BRAND] === true;
}

/**
 * The command error `error` is, or wraps as its `cause`, else `undefined`: an error already made
 * for the workflow, to pass on unchanged rather than re-label. The egress policy's `EgressDenied`
 * comes back that way from a socket's lookup, wrapped by the HTTP client that made the socket.
 *
 * @example
 * catch (error) { throw reportedCommandError(error) ?? upstreamUnreachable(host, error); }
 */
export function reportedCommandError(error: unknown): CommandError | undefined {
  if (isCommandError(error)) return error;
  const cause = (error as { cause?: unknown } | null | undefined)?.cause;
  return isCommandError(cause) ? cause : undefined;
}

/** One problem with one parameter, as {@link invalidParameters} reports it. */
export interface ParameterProblem {
  parameter: string;
  message: string;
}

/**
 * A 400 `invalid_parameters` error whose message names every bad parameter.
 *
 * @example
 * throw invalidParameters([{ parameter: 'body_format', message: 'must be one of json, form, raw, none' }]);
 */
export function invalidParameters(problems: readonly ParameterProblem[]): CommandError {
  const list = problems.map((p) => `${p.parameter} ${p.message}`).join('; ');
  return commandError({ code: SdkErrorCodes.invalidParameters, status: 400, message: `Invalid parameters: ${list}`, parameters: problems.map((p) => p.parameter) });
}

/**
 * A configuration error that stops the proxy's start. Name the environment variable.
 *
 * @example
 * throw configurationError('CONNECTOR_PROXY_SLACK_API_URL', 'must be an http(s) URL');
 */
export function configurationError(variable: string, message: string): CommandError {
  return commandError({ code: SdkErrorCodes.invalidConfiguration, status: 500, message: `${variable} ${message}` });
}

/**
 * The call was stopped because the proxy already holds its budget of third parties' answers
 * (`CONNECTOR_PROXY_MAX_BUFFERED_BYTES`) for calls in progress: a transient refusal, 503, which
 * the engine retries. Made by {@link readChunksAtMost}; a connector passes it on unchanged.
 *
 * @example
 * if (!context.responseBudget.reserve(chunk.length)) throw responseBudgetExceeded(context.responseBudget.limitBytes);
 */
export function responseBudgetExceeded(limitBytes: number): CommandError {
  return commandError({
    code: SdkErrorCodes.responseBudgetExceeded,
    httpStatus: 503,
    message: `The connector proxy is already holding its limit of ${limitBytes} bytes of answers for calls in progress (CONNECTOR_PROXY_MAX_BUFFERED_BYTES); the call was stopped, try again shortly`,
  });
}
