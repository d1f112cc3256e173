/**
 * undici and socket failures as this connector's stable codes. What a failure's code means is the
 * SDK's `networkFailure` (the proxy's callback deliveries read it too); the codes made of it are ours.
 */
import { networkFailure, reportedCommandError, type CommandError } from '@connector-proxy/sdk';
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

/**
 * The connector's error for a failed attempt, or `undefined` for a failure it does not know
 * (a bug: the caller rethrows it and the proxy answers 500).
 */
export function transportError(error: unknown, hostPort: string, abort: AbortState): CommandError | undefined {
  // Already made for the workflow: the egress policy's EgressDenied comes back from the socket's
  // lookup as the error's cause, and must not be re-labelled (as ConnectionRefused, say).
  const reported = reportedCommandError(error);
  if (reported !== undefined) return reported;
  if (abort.deadlinePassed) return upstreamTimeout(hostPort, "before the command's deadline", error);
  if (abort.timedOut) return upstreamTimeout(hostPort, `within ${abort.timeoutMs} ms`, error);
  const failure = networkFailure(error);
  switch (failure?.kind) {
    case 'timeout':
      return upstreamTimeout(hostPort, `within ${abort.timeoutMs} ms`, error);
    case 'refused':
    case 'unreachable':
      return connectionRefused(hostPort, error);
    case 'reset':
      return connectionReset(hostPort, error);
    case 'dns':
      return hostNotFound(hostPort, error);
    case 'tls':
      return tlsError(hostPort, failure.code, error);
    case 'invalid-response':
      return invalidHttpResponse(hostPort, error);
    case 'other':
      return isRefusedHeader(failure.code, error)
        ? invalidParameter('headers', 'has a name or value HTTP does not allow (e.g. a line break, a NUL, or a character not allowed in a name)')
        : undefined;
    default:
      return undefined;
  }
}

/** undici checks header names and values as it builds the request; its other argument checks are ours to get right. */
function isRefusedHeader(code: string, error: unknown): boolean {
  const message = (error as { message?: unknown }).message;
  return code === 'UND_ERR_INVALID_ARG' && typeof message === 'string' && /header/i.test(message);
}
