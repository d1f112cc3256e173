/**
 * Before a scenario is measured, one call through each target must give the right answer: a
 * load generator counts statuses, and the proxy answers 200 even when the upstream failed (the
 * failure is in the envelope), so without this a broken setup would be measured as a fast one.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LoadTarget, Scenario } from './scenarios.js';

export async function checkAnswers(scenario: Scenario, proxyUrl: string, nginxUrl: string | undefined): Promise<void> {
  const proxied = await send(proxyUrl, scenario.proxied);
  const envelope = JSON.parse(proxied.text) as { error: unknown; command_response?: { http_status?: number; body?: unknown } };
  if (proxied.status !== 200 || envelope.error !== null || envelope.command_response?.http_status !== 200) {
    throw new Error(`${scenario.title}: the proxy answered ${proxied.status} ${proxied.text.slice(0, 500)}`);
  }
  if (!isDeepStrictEqual(envelope.command_response.body, scenario.envelopeBody)) {
    throw new Error(`${scenario.title}: the proxy's envelope does not carry the upstream's answer`);
  }
  if (nginxUrl === undefined) return;
  const direct = await send(nginxUrl, scenario.direct);
  if (direct.status !== 200 || direct.text !== scenario.upstreamAnswer) {
    throw new Error(`${scenario.title}: nginx proxy_pass answered ${direct.status} ${direct.text.slice(0, 500)}`);
  }
}

async function send(baseUrl: string, target: LoadTarget): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}${target.path}`, {
    method: target.method,
    headers: target.body === undefined ? {} : { 'content-type': 'application/json' },
    body: target.body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}
