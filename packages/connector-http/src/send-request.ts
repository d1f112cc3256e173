/** One exchange of a request: send it, read the whole answer (bounded), or say why that failed. */
import type { CommandContext, CommandError, ResponseBudget } from '@connector-proxy/sdk';
import { AnswerCollector } from './answer-collector.js';
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
  /** The body's bytes; absent: the request has none. */
  payload: Buffer | undefined;
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
 * Sends `request` once, if the egress policy allows its host. Bounded by the per-call timeout
 * and by `deadline` (the command's, when its `signal` aborts), whichever comes first, by the
 * response size limit and by the call's share of the proxy's response budget (`budget`); a
 * failure becomes this connector's error for it.
 */
async function sendRequest(client: HttpClient, request: OutboundRequest, deadline: number, budget: ResponseBudget): Promise<AttemptOutcome> {
  const { target } = request;
  // One timer for the two time bounds.
  const untilDeadline = deadline - Date.now();
  const deadlineFirst = untilDeadline < client.timeoutMs;
  let timedOut = false;
  let deadlinePassed = false;
  let collector: AnswerCollector | undefined;
  const timer = setTimeout(() => {
    if (deadlineFirst) deadlinePassed = true;
    else timedOut = true;
    collector?.cutOff();
  }, Math.max(0, Math.min(untilDeadline, client.timeoutMs)));
  try {
    // An IP literal is never looked up, so this is where it is checked; names are checked
    // again, by address, in the agent's lookup.
    client.egress.assertHostAllowed(target.hostname);
    collector = new AnswerCollector(
      client.agent,
      { origin: target.origin, path: target.path, method: request.method, headers: request.headers, body: request.payload ?? null },
      client.maxResponseBytes,
      budget,
    );
    const collected = await collector.answer;
    if (collected.ok) return { ok: true, answer: { hostPort: target.hostPort, status: collected.status, headers: collected.headers, body: collected.body } };
    return collected.refusal === 'too-large' ? tooLarge(target, client) : { ok: false, error: collected.refusal };
  } catch (failure) {
    const abort = { timedOut, deadlinePassed, timeoutMs: client.timeoutMs };
    const error = transportError(failure, target.hostPort, abort);
    if (error === undefined) throw failure;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(target: RequestTarget, client: HttpClient): AttemptOutcome {
  return { ok: false, error: responseTooLarge(target.hostPort, client.maxResponseBytes) };
}
