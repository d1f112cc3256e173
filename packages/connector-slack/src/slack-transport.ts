import { networkFailure, readAtMost, redactSecrets, reportedCommandError, type ReadableBody, type ResponseBudget } from '@connector-proxy/sdk';
import { request } from 'undici';
import { slackInvalidResponse, slackResponseTooLarge, slackTimeout, slackUnreachable } from './errors.js';
import type { SlackConfig } from './slack-config.js';

/** One HTTP answer of the Web API, before it is read as a Slack reply. */
export interface SlackHttpReply {
  readonly status: number;
  /** `Retry-After` in seconds, when Slack sent one. */
  readonly retryAfterSeconds: number | undefined;
  /** The raw body with every occurrence of the caller's token replaced by `[Redacted]`. */
  readonly text: string;
}

// A Node.js system error (EADDRNOTAVAIL, EMFILE, ...) the SDK's table does not know: still no answer from Slack.
const SYSTEM_ERROR_CODE = /^E[A-Z]+$/;

// A token shorter than this is not a real Slack token, and blanking it would mangle the reply
// (a token `ok` would eat every `"ok"`); real tokens are 50+ characters.
const MIN_SCRUBBED_TOKEN_LENGTH = 8;

/**
 * Calls a Web API method the documented way: `POST {base}/{method}`, a JSON body and the
 * token as a Bearer header (never in the URL or body, so it cannot leak into access logs).
 * Failures to get an answer at all become `SlackUnreachable` / `SlackTimeout`; bytes that are
 * not HTTP, `SlackInvalidResponse`.
 */
export async function postSlackMethod(
  config: SlackConfig,
  method: string,
  token: string,
  payload: Record<string, unknown>,
  callSignal: AbortSignal,
  budget: ResponseBudget,
): Promise<SlackHttpReply> {
  const timer = AbortSignal.timeout(config.timeoutMs);
  // Aborting the request is how undici is told to stop a reply half-way (see readBoundedText).
  const cutOff = new AbortController();
  const signal = AbortSignal.any([callSignal, timer, cutOff.signal]);
  try {
    // An IP literal is never looked up, so this is where it is checked; a name is checked
    // again, by address, in the agent's lookup.
    config.egress.assertHostAllowed(config.apiHostname);
    const response = await request(`${config.apiUrl}/${method}`, {
      method: 'POST',
      dispatcher: config.agent,
      signal,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
    });
    const text = await readBoundedText(response.body, response.headers['content-length'], config.maxResponseBytes, cutOff, budget);
    if (text === undefined) throw slackResponseTooLarge(config.apiHost, config.maxResponseBytes);
    return {
      status: response.statusCode,
      retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
      text: scrubToken(text, token),
    };
  } catch (error) {
    throw transportError(error, config, signal.aborted ? (timer.aborted ? 'timer' : 'deadline') : undefined);
  }
}

function transportError(error: unknown, config: SlackConfig, abortedBy: 'timer' | 'deadline' | undefined): unknown {
  // Already made for the workflow (the egress policy's EgressDenied arrives from the socket's
  // lookup as the error or its cause): passed on unchanged, never re-labelled as unreachable.
  const reported = reportedCommandError(error);
  if (reported !== undefined) return reported;
  if (abortedBy === 'deadline') {
    return slackTimeout("The call's deadline passed before Slack's API answered", error);
  }
  const failure = networkFailure(error);
  if (abortedBy === 'timer' || failure?.kind === 'timeout') {
    return slackTimeout(`Slack's API at ${config.apiHost} did not answer within ${config.timeoutMs} ms`, error);
  }
  if (failure?.kind === 'invalid-response') {
    return slackInvalidResponse(`an answer that is not valid HTTP (${failure.code})`, { ok: false, error: 'invalid_response' }, error);
  }
  if (failure !== undefined && (failure.kind !== 'other' || SYSTEM_ERROR_CODE.test(failure.code))) {
    return slackUnreachable(config.apiHost, failure.code, error);
  }
  return error; // not a network failure: a bug, which the proxy reports as internal_error
}

/**
 * The reply as text, or `undefined` when it is (or announces itself as) larger than `maxBytes`:
 * `request` (the controller of the call's signal) is then aborted before the reading ends,
 * which closes the connection (undici absorbs the abort it causes), so memory holds at most
 * the limit. The bytes are taken from the call's share of the proxy's `budget` as they come.
 */
async function readBoundedText(
  body: ReadableBody,
  contentLength: string | string[] | undefined,
  maxBytes: number,
  request: AbortController,
  budget: ResponseBudget,
): Promise<string | undefined> {
  const announced = typeof contentLength === 'string' && /^\d+$/.test(contentLength.trim()) ? Number(contentLength) : 0;
  if (announced > maxBytes) {
    request.abort();
    return undefined;
  }
  const bytes = await readAtMost(body, maxBytes, () => request.abort(), budget);
  return bytes?.toString('utf8');
}

/** Slack sends whole seconds; anything else (absent, a date) is treated as "no hint". */
function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== undefined && /^\d+$/.test(first.trim()) ? Number(first) : undefined;
}

function scrubToken(text: string, token: string): string {
  return token.length >= MIN_SCRUBBED_TOKEN_LENGTH ? redactSecrets(text, [token]) : text;
}
