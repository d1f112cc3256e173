/** One exchange of a request: send it, read the whole answer (bounded), or say why that failed. */
import { EventEmitter } from 'node:events';
import { readChunksAtMost, responseBudgetExceeded, type CommandContext, type CommandError, type ResponseBudget } from '@connector-proxy/sdk';
import { announcedLength } from './announced-length.js';
import { responseTooLarge } from './errors.js';
import { memoryPerBodyByte } from './response-body.js';
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
  /** The body, in the chunks it came in. */
  body: readonly Uint8Array[];
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
  const outcome = await sendRequest(context.config, request, context.deadline, context.responseBudget);
  const elapsed = Math.round(performance.now() - started);
  context.log.info(`${request.method} ${request.target.logUrl} -> ${outcome.ok ? outcome.answer.status : outcome.error.code} (${elapsed} ms)`);
  return outcome;
}

/**
 * What undici takes as a request's signal, made per call. An EventEmitter, which undici accepts
 * as well: AbortControllers (EventTargets) and their listeners cost about a quarter of a small
 * call's throughput, measured side by side.
 */
class RequestCutOff extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/**
 * Sends `request` once, if the egress policy allows its host. Bounded by the per-call timeout
 * and by `deadline` (the command's, when its `signal` aborts), whichever comes first, by the
 * response size limit and by the call's share of the proxy's response budget (`budget`); a
 * failure becomes this connector's error for it.
 */
async function sendRequest(client: HttpClient, request: OutboundRequest, deadline: number, budget: ResponseBudget): Promise<AttemptOutcome> {
  // One timer for the two time bounds, one cut-off for them and for a body over the size limit.
  // Aborting the request is how undici is told to stop a body half-way: it closes the
  // connection and absorbs the abort it causes.
  const cutOff = new RequestCutOff();
  const untilDeadline = deadline - Date.now();
  const deadlineFirst = untilDeadline < client.timeoutMs;
  let timedOut = false;
  let deadlinePassed = false;
  const timer = setTimeout(() => {
    if (deadlineFirst) deadlinePassed = true;
    else timedOut = true;
    cutOff.abort();
  }, Math.max(0, Math.min(untilDeadline, client.timeoutMs)));
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
      signal: cutOff,
    });
    const announced = announcedLength(request.method, response.statusCode, response.headers['content-length']);
    if (announced !== undefined && announced > client.maxResponseBytes) {
      cutOff.abort();
      return tooLarge(target, client);
    }
    const share = bodyShare(budget, response.headers['content-type']);
    // A body of known length takes its bytes from the budget whole or not at all: calls that fit
    // are read to the end, rather than every call stalling half-read when many come at once.
    if (announced !== undefined && !share.reserve(announced)) {
      cutOff.abort();
      return { ok: false, error: responseBudgetExceeded(budget.limitBytes) };
    }
    // Kept as the chunks it came in, at most the limit plus one: a JSON body goes into the
    // envelope as they are, and joining them would copy it for nothing. A body of unknown
    // length takes from the budget as it comes.
    const body = await readChunksAtMost(response.body, client.maxResponseBytes, () => cutOff.abort(), announced === undefined ? share : undefined);
    if (body === undefined) return tooLarge(target, client);
    return { ok: true, answer: { hostPort: target.hostPort, status: response.statusCode, headers: response.headers, body } };
  } catch (failure) {
    const abort = { timedOut, deadlinePassed, timeoutMs: client.timeoutMs };
    const error = transportError(failure, target.hostPort, abort);
    if (error === undefined) throw failure;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a body takes from the call's budget: its bytes, and as many again for each copy the
 * envelope will need of it (a decoded text body: see memoryPerBodyByte).
 */
function bodyShare(budget: ResponseBudget, contentType: string | string[] | undefined): ResponseBudget {
  const perByte = memoryPerBodyByte(Array.isArray(contentType) ? contentType[0] : contentType);
  if (perByte === 1) return budget;
  return { limitBytes: budget.limitBytes, reserve: (bytes) => budget.reserve(bytes * perByte) };
}

function tooLarge(target: RequestTarget, client: HttpClient): AttemptOutcome {
  return { ok: false, error: responseTooLarge(target.hostPort, client.maxResponseBytes) };
}
