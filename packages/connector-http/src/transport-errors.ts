/**
 * undici and socket failures as this connector's stable codes. Errors are told apart by their
 * `code` (never by class: another copy of undici or a Node.js socket may have made them).
 */
import { isCommandError, type CommandError } from '@connector-proxy/sdk';
import {
  connectionRefused,
  connectionReset,
  hostNotFound,
  invalidHttpResponse,
  invalidParameter,
  tlsError,
  upstreamTimeout,
} from './errors.js';

/** Which of the two bounds of an attempt had fired when it failed. */
export interface AbortState {
  /** The per-call bound (`CONNECTOR_PROXY_HTTP_TIMEOUT_MS`) fired. */
  timedOut: boolean;
  /** The command's own deadline (`ctx.signal`) fired. */
  deadlinePassed: boolean;
  timeoutMs: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
// UND_ERR_SOCKET is undici's "other side closed"; CLOSED/DESTROYED mean the pool went away under the call.
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL']);
const BAD_ANSWER_CODES = new Set(['UND_ERR_HEADERS_OVERFLOW', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RESPONSE']);
// Node's TLS codes (ERR_TLS_*, ERR_SSL_*, EPROTO) and OpenSSL's certificate verdicts (CERT_HAS_EXPIRED, ...).
const TLS_CODE = /^(?:ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|^UNABLE_TO_|^HOSTNAME_MISMATCH$/;
// llhttp's parse errors: the bytes that came back are not HTTP.
const PARSER_CODE = /^HPE_/;

/**
 * The connector's error for a failed attempt, or `undefined` for a failure it does not know
 * (a bug: the caller rethrows it and the proxy answers 500).
 */
export function transportError(error: unknown, hostPort: string, abort: AbortState): CommandError | undefined {
  const reported = reportedError(error);
  if (reported !== undefined) return reported;
  if (abort.deadlinePassed) return upstreamTimeout(hostPort, "before the command's deadline", error);
  if (abort.timedOut) return upstreamTimeout(hostPort, `within ${abort.timeoutMs} ms`, error);
  const code = errorCode(error);
  if (code === undefined) return undefined;
  if (TIMEOUT_CODES.has(code)) return upstreamTimeout(hostPort, `within ${abort.timeoutMs} ms`, error);
  if (REFUSED_CODES.has(code)) return connectionRefused(hostPort, error);
  if (RESET_CODES.has(code)) return connectionReset(hostPort, error);
  if (DNS_CODES.has(code)) return hostNotFound(hostPort, error);
  if (TLS_CODE.test(code)) return tlsError(hostPort, code, error);
  if (PARSER_CODE.test(code) || BAD_ANSWER_CODES.has(code)) return invalidHttpResponse(hostPort, error);
  if (isRefusedHeader(code, error)) {
    return invalidParameter('headers', 'has a name or value HTTP does not allow (e.g. a line break, a NUL, or a character not allowed in a name)');
  }
  return undefined;
}

/**
 * An error already made for the workflow, as the error or its cause: the egress policy's
 * `EgressDenied` comes back from the socket's lookup that way, and must not be re-labelled
 * (as ConnectionRefused, say) on its way out.
 */
function reportedError(error: unknown): CommandError | undefined {
  if (isCommandError(error)) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return isCommandError(cause) ? cause : undefined;
}

/** undici checks header names and values as it builds the request; its other argument checks are ours to get right. */
function isRefusedHeader(code: string, error: unknown): boolean {
  const message = (error as { message?: unknown }).message;
  return code === 'UND_ERR_INVALID_ARG' && typeof message === 'string' && /header/i.test(message);
}

/**
 * The error's `code`, looking into `cause` and, for a connection tried on several addresses
 * (happy eyeballs), into the first of its `errors`.
 */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, name, cause, errors } = error as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // undici's HTTPParserError has no code when llhttp's reason has no name (e.g. "Expected HTTP/").
  if (name === 'HTTPParserError') return 'HPE_UNNAMED';
  if (cause !== undefined) return errorCode(cause);
  return Array.isArray(errors) ? errorCode(errors[0]) : undefined;
}
