import { networkFailure } from '@connector-proxy/sdk';

/**
 * Says what happened to a delivery that got no answer, after "the callback URL …": "did not
 * answer within 30 s", "refused the connection". The error's own code (a DOMException's is a
 * number: 23 for a timeout) means nothing to whoever reads the job's `last_error`.
 */
export function describeDeliveryFailure(error: unknown, timeoutMs: number): string {
  const failure = networkFailure(error);
  if (failure?.kind === 'timeout') return `did not answer within ${timeoutMs / 1000} s (CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS)`;
  return failure?.description ?? 'could not be reached (a network error)';
}
