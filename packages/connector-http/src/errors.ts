/**
 * This package's one error factory. Every failure the HTTP connector reports is made here, so
 * the codes a BPMN boundary event can catch are all in one place (and in README.md).
 */
import { STATUS_CODES } from 'node:http';
import { commandError, invalidParameters, SdkErrorCodes, type CommandError } from '@connector-proxy/sdk';

/** Stable codes. `HttpError{status}` (e.g. `HttpError404`) is built from the upstream status. */
export const HttpConnectorCodes = {
  connectionRefused: 'ConnectionRefused',
  connectionReset: 'ConnectionReset',
  hostNotFound: 'HostNotFound',
  tlsError: 'TlsError',
  upstreamTimeout: 'UpstreamTimeout',
  invalidJsonResponse: 'InvalidJsonResponse',
  invalidHttpResponse: 'InvalidHttpResponse',
  responseTooLarge: 'ResponseTooLarge',
  tooManyRedirects: 'TooManyRedirects',
  invalidRedirect: 'InvalidRedirect',
  /** Made by the proxy's egress policy (the SDK's code), passed through unchanged. */
  egressDenied: SdkErrorCodes.egressDenied,
} as const;

/** Status for `command_response.http_status` when the third party could not be reached at all. */
const UNREACHABLE = 502;
const TIMED_OUT = 504;

type ResponseHeaders = Record<string, string | string[]>;

/** The third party answered with a status >= 300: its body (and headers, when asked) are kept. */
export function upstreamStatusError(hostPort: string, status: number, body: unknown, headers?: ResponseHeaders): CommandError {
  const reason = STATUS_CODES[status];
  return commandError({
    code: `HttpError${status}`,
    message: `${hostPort} answered ${status}${reason ? ` ${reason}` : ''}`,
    httpStatus: status,
    body,
    ...(headers && { headers }),
  });
}

/** The third party said its body is JSON, but it is not: the text is kept for the workflow to inspect. */
export function invalidJsonResponse(hostPort: string, status: number, raw: string, headers?: ResponseHeaders): CommandError {
  return commandError({
    code: HttpConnectorCodes.invalidJsonResponse,
    message: `${hostPort} answered ${status} with Content-Type application/json, but the body is not valid JSON`,
    httpStatus: UNREACHABLE,
    body: { raw_response: raw },
    ...(headers && { headers }),
  });
}

export function connectionRefused(hostPort: string, cause: unknown): CommandError {
  return commandError({
    code: HttpConnectorCodes.connectionRefused,
    message: `Could not connect to ${hostPort}: the connection was refused or the host is unreachable`,
    httpStatus: UNREACHABLE,
    cause,
  });
}

export function connectionReset(hostPort: string, cause: unknown): CommandError {
  return commandError({
    code: HttpConnectorCodes.connectionReset,
    message: `The connection to ${hostPort} was closed before the answer was complete`,
    httpStatus: UNREACHABLE,
    cause,
  });
}

export function hostNotFound(hostPort: string, cause: unknown): CommandError {
  return commandError({
    code: HttpConnectorCodes.hostNotFound,
    message: `The host of ${hostPort} could not be found (DNS lookup failed)`,
    httpStatus: UNREACHABLE,
    cause,
  });
}

/** `reason` is a TLS/OpenSSL error code such as `CERT_HAS_EXPIRED`: safe to show, and what an operator needs. */
export function tlsError(hostPort: string, reason: string, cause: unknown): CommandError {
  return commandError({
    code: HttpConnectorCodes.tlsError,
    message: `The secure (TLS) connection to ${hostPort} failed: ${reason}`,
    httpStatus: UNREACHABLE,
    cause,
  });
}

/** `what` tells which bound was hit, e.g. `within 30000 ms` or `before the command's deadline`. */
export function upstreamTimeout(hostPort: string, what: string, cause: unknown): CommandError {
  return commandError({
    code: HttpConnectorCodes.upstreamTimeout,
    message: `${hostPort} did not answer ${what}`,
    httpStatus: TIMED_OUT,
    cause,
  });
}

export function invalidHttpResponse(hostPort: string, cause: unknown): CommandError {
  return commandError({
    code: HttpConnectorCodes.invalidHttpResponse,
    message: `${hostPort} sent an answer that is not valid HTTP`,
    httpStatus: UNREACHABLE,
    cause,
  });
}

/** The answer's body is over `CONNECTOR_PROXY_MAX_RESPONSE_BYTES`: it was not read past the limit. */
export function responseTooLarge(hostPort: string, maxBytes: number): CommandError {
  return commandError({
    code: HttpConnectorCodes.responseTooLarge,
    message: `${hostPort} sent an answer larger than this proxy's limit of ${maxBytes} bytes (CONNECTOR_PROXY_MAX_RESPONSE_BYTES); it was cut off`,
    httpStatus: UNREACHABLE,
  });
}

export function tooManyRedirects(hostPort: string, maxRedirects: number): CommandError {
  return commandError({
    code: HttpConnectorCodes.tooManyRedirects,
    message: `${hostPort} redirected again after ${maxRedirects} redirects had been followed; giving up`,
    httpStatus: UNREACHABLE,
  });
}

/** `problem` says what is wrong with the Location, never quoting it (a third party's URL may carry a token). */
export function invalidRedirect(hostPort: string, problem: string): CommandError {
  return commandError({
    code: HttpConnectorCodes.invalidRedirect,
    message: `${hostPort} redirected to ${problem}, which is not followed`,
    httpStatus: UNREACHABLE,
  });
}

/** The caller's mistake in one parameter (400 `invalid_parameters`); `message` never quotes a secret value. */
export function invalidParameter(parameter: string, message: string): CommandError {
  return invalidParameters([{ parameter, message }]);
}
