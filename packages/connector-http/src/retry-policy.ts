/**
 * `attempts`: idempotent requests are tried again after a connection failure or a 5xx answer,
 * with exponential backoff and jitter, never past the command's deadline. An attempt is the
 * whole exchange, redirects included; each request of it writes its own log line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '@connector-proxy/sdk';
import { HttpConnectorCodes } from './errors.js';
import type { HttpClient } from './http-client.js';
import type { AttemptOutcome, OutboundRequest, Send } from './send-request.js';

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;

// Failures after which the request may not have reached the third party's application, or
// that are usually transient; anything else (4xx, TLS, DNS, bad JSON) would fail again.
const RETRYABLE_CODES = new Set<string>([
  HttpConnectorCodes.connectionRefused,
  HttpConnectorCodes.connectionReset,
  HttpConnectorCodes.upstreamTimeout,
]);

/** Sends `request` with `send` up to `attempts` times and gives the last outcome. */
export async function withRetries(
  send: Send,
  request: OutboundRequest,
  attempts: number,
  context: CommandContext<HttpClient>,
): Promise<AttemptOutcome> {
  for (let tried = 1; ; tried++) {
    const outcome = await send(request, context);
    if (tried >= attempts || !isRetryable(outcome) || context.signal.aborted) return outcome;
    const delay = backoffDelayMs(tried);
    if (Date.now() + delay >= context.deadline) return outcome;
    context.log.info(`retrying in ${delay} ms (attempt ${tried + 1} of ${attempts})`);
    const slept = await sleep(delay, true, { signal: context.signal }).catch(() => false); // rejects only when aborted
    if (!slept) return outcome;
  }
}

function isRetryable(outcome: AttemptOutcome): boolean {
  return outcome.ok ? outcome.answer.status >= 500 : RETRYABLE_CODES.has(outcome.error.code);
}

/** 200 ms, 400 ms, 800 ms ... (capped), each scaled by a random 50–100 % so retries of many calls spread out. */
function backoffDelayMs(retry: number): number {
  const ceiling = Math.min(FIRST_DELAY_MS * 2 ** (retry - 1), MAX_DELAY_MS);
  return Math.round(ceiling * (0.5 + Math.random() / 2));
}
