/** One exchange of a request: send it, read the whole answer (bounded), or say why that failed. */
import type { CommandContext, CommandError } from '@connector-proxy/sdk';
import { announcesTooLarge, readBoundedBody } from './bounded-body.js';
import { responseTooLarge } from './errors.js';
import type { HttpClient } from './http-client.js';
import type { OutgoingHeaders } from './request-headers.js';
import type { RequestTarget } from './request-target.js';
import { transportError } from './transport-errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OutboundRequest {
  method: HttpMethod;
  target: RequestTarget;
  headers: OutgoingHeaders;
  payload: string | undefined;
}

/** The third party's whole answer. */
export interface UpstreamAnswer {
  /** `host:port` of who answered (after redirects, the last hop), for messages. */
  hostPort: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Uint8Array;
}

export type AttemptOutcome = { ok: true; answer: UpstreamAnswer } | { ok: false; error: CommandError };

/** What sends a request on a command's behalf: {@link exchange}, or it following redirects. */
export type Send = (request: OutboundRequest, context: CommandContext<HttpClient>) => Promise<AttemptOutcome>;

/**
 * Sends `request` once and writes its one log line (method, redacted URL, outcome, duration;
 * never headers or bodies).
 */
export async function exchange(request: OutboundRequest, context: CommandContext<HttpClient>): Promise<AttemptOutcome> {
  const started = performance.now();
  const outcome = await sendRequest(context.config, request, context.signal);
  const elapsed = Math.round(performance.now() - started);
  context.log.info(`${request.method} ${request.target.logUrl} -> ${outcome.ok ? outcome.answer.status : outcome.error.code} (${elapsed} ms)`);
  return outcome;
}

/**
 * Sends `request` once, if the egress policy allows its host. Bounded by the per-call timeout
 * and by `deadline` (the command's signal), whichever comes first, and by the response size
 * limit; a failure becomes this connector's error for it.
 */
export async function sendRequest(client: HttpClient, request: OutboundRequest, deadline: AbortSignal): Promise<AttemptOutcome> {
  // One controller for the three reasons to stop: the per-call bound, the command's deadline,
  // and a body over the size limit. (AbortSignal.timeout and AbortSignal.any would do the same
  // at several times the cost per call.) Aborting the request is how undici is told to stop a
  // body half-way: it closes the connection and absorbs the abort it causes.
  const cutOff = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    cutOff.abort();
  }, client.timeoutMs);
  const onDeadline = (): void => cutOff.abort();
  if (deadline.aborted) cutOff.abort();
  else deadline.addEventListener('abort', onDeadline, { once: true });
  const signal = cutOff.signal;
  const { target } = request;
  try {
    // An IP literal is never looked up, so this is where it is checked; names are checked
    // again, by address, in the agent's lookup.
    client.egress.assertHostAllowed(target.hostname);
    const response = await client.agent.request({
      origin: target.origin,
      path: target.path,
      method: request.method,
      headers: request.headers,
      body: request.payload ?? null,
      signal,
    });
    if (announcesTooLarge(request.method, response.statusCode, response.headers['content-length'], client.maxResponseBytes)) {
      cutOff.abort();
      return tooLarge(target, client);
    }
    const bytes = await readBoundedBody(response.body, response.headers['content-length'], client.maxResponseBytes, cutOff);
    if (bytes === undefined) return tooLarge(target, client);
    return { ok: true, answer: { hostPort: target.hostPort, status: response.statusCode, headers: response.headers, bytes } };
  } catch (failure) {
    const abort = { timedOut, deadlinePassed: deadline.aborted, timeoutMs: client.timeoutMs };
    const error = transportError(failure, target.hostPort, abort);
    if (error === undefined) throw failure;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
    deadline.removeEventListener('abort', onDeadline);
  }
}

function tooLarge(target: RequestTarget, client: HttpClient): AttemptOutcome {
  return { ok: false, error: responseTooLarge(target.hostPort, client.maxResponseBytes) };
}
